namespace CrossDomain.Engine.Config;

/// <summary>One problem in a pipeline file, located by file, line, column and dotted key.</summary>
public sealed record ConfigError(string File, int Line, int Column, string Key, string Message)
{
    public override string ToString() =>
        Line > 0 ? $"{File}:{Line}:{Column}: {Key}: {Message}" : $"{File}: {Key}: {Message}";
}

/// <summary>Thrown when a pipeline file fails validation; carries every error found, not just the first.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;

    public ConfigException(ConfigError error) : this([error]) { }
}

/// <summary>Collects errors while a document is validated so that the user sees all of them at once.</summary>
public sealed class ConfigErrorList
{
    private readonly List<ConfigError> _errors = [];
    public IReadOnlyList<ConfigError> Errors => _errors;
    public bool Any => _errors.Count > 0;

    public void Add(Location at, string key, string message) =>
        _errors.Add(new ConfigError(at.File, at.Line, at.Column, key, message));

    public void ThrowIfAny()
    {
        if (_errors.Count > 0) throw new ConfigException(Collapsed());
    }

    /// <summary>
    /// One error per root cause: the same message at the same place (a bad value under <c>defaults:</c> or in a
    /// matrix stage reaches every stage it applies to) is reported once, naming how many keys it reached.
    /// </summary>
    public List<ConfigError> Collapsed() =>
        _errors.GroupBy(e => (e.File, e.Line, e.Column, e.Message)).Select(g =>
        {
            var first = g.First();
            var keys = g.Select(e => e.Key).Distinct().ToList();
            return keys.Count == 1 ? first : first with { Message = $"{first.Message} (the same value reaches {keys.Count} keys: {NameList.Short(keys, 4)})" };
        }).ToList();
}

/// <summary>Where a value came from: a YAML position, or a command-line override.</summary>
public readonly record struct Location(string File, int Line, int Column)
{
    // Nodes that did not come from the file keep where they did come from: a --set argument, or the matrix stage
    // a node was copied from. Keyed by identity (YamlNode's Equals compares values).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<YamlDotNet.RepresentationModel.YamlNode, System.Runtime.CompilerServices.StrongBox<Location>> Origins = new();

    public static Location Of(string file, YamlDotNet.RepresentationModel.YamlNode? node) =>
        node is null ? new Location(file, 0, 0)
        : Origins.TryGetValue(node, out var origin) ? origin.Value
        : new Location(file, (int)node.Start.Line, (int)node.Start.Column);

    /// <summary>Records that <paramref name="node"/>, and whatever inside it has no origin yet, came from <paramref name="at"/>.</summary>
    public static void Remember(YamlDotNet.RepresentationModel.YamlNode node, Location at)
    {
        Origins.AddOrUpdate(node, new System.Runtime.CompilerServices.StrongBox<Location>(at));
        // Children already placed (copied one by one, each from its own line) keep their place.
        foreach (var child in node.AllNodes) if (!ReferenceEquals(child, node)) Origins.TryAdd(child, new System.Runtime.CompilerServices.StrongBox<Location>(at));
    }

    /// <summary>Where a --set argument's values are reported: the argument itself, not a line of the file.</summary>
    public static Location OfOverride(string assignment) => new($"--set {assignment}", 0, 0);
}
