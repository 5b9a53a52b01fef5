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
        if (_errors.Count > 0) throw new ConfigException(_errors.ToList());
    }
}

/// <summary>Where a value came from: a YAML position, or a command-line override.</summary>
public readonly record struct Location(string File, int Line, int Column)
{
    public static Location Of(string file, YamlDotNet.RepresentationModel.YamlNode? node) =>
        node is null ? new Location(file, 0, 0) : new Location(file, (int)node.Start.Line, (int)node.Start.Column);
}
