using CrossDomain.Engine.Progress;

namespace CrossDomain.Engine.Stages;

/// <summary>What a running stage sees: where to read, where to write, how to report.</summary>
public sealed class StageContext
{
    public required string StageName { get; init; }
    public required string Fingerprint { get; init; }
    public required string ProjectRoot { get; init; }
    public required IReadOnlyDictionary<string, string> OutputPaths { get; init; }
    public required IReadOnlyDictionary<string, string> InputPaths { get; init; }
    /// <summary>Every output of every dep, for stages that gather many same-named outputs (a results table over several training stages).</summary>
    public IReadOnlyList<UpstreamOutput> Upstream { get; init; } = [];
    /// <summary>Whether partial work a cut-off run left behind may be continued (the CLI's <c>--resume</c>, on by default).</summary>
    public bool Resume { get; init; } = true;
    public IProgressSink Progress { get; init; } = NullProgressSink.Instance;
    public string KindName { get; init; } = "";

    /// <summary>The pipeline's artifacts folder. Durable caches that outlive one run live under its dot-folders, which <c>clean</c> keeps.</summary>
    public string ArtifactsRoot { get; init; } = "";

    /// <summary>
    /// Key-value metadata every Parquet artifact of this run carries. Only facts that the data itself determines:
    /// no fingerprint, time or run id, so identical data gives identical bytes and dependants stay fresh (the lock
    /// records which run produced the file).
    /// </summary>
    public IReadOnlyDictionary<string, string> ArtifactMetadata => new Dictionary<string, string>
    {
        ["crossdomain.stage"] = StageName,
        ["crossdomain.kind"] = KindName,
        ["crossdomain.tool_version"] = ToolVersion.Current,
    };

    /// <summary>Path this stage must write the named output to (a temporary path that the engine moves into place).</summary>
    public string Output(string name) => OutputPaths.TryGetValue(name, out var p) ? p
        : throw new InvalidOperationException($"stage '{StageName}' declared no output '{name}'");

    /// <summary>Path of an upstream output this stage declared in RequiredInputs.</summary>
    public string Input(string name) => InputPaths.TryGetValue(name, out var p) ? p
        : throw new InvalidOperationException($"stage '{StageName}' has no input '{name}' bound");

    public string Resolve(InputPath path) => Path.GetFullPath(Path.Combine(ProjectRoot, path.Value));
}

/// <summary>One upstream output: the stage that writes it, its name and its path.</summary>
public sealed record UpstreamOutput(string Stage, string Name, string Path);

public static class ToolVersion
{
    public static string Current { get; } =
        typeof(ToolVersion).Assembly.GetName().Version?.ToString(3) is { } v ? $"crossdomain {v}" : "crossdomain";
}
