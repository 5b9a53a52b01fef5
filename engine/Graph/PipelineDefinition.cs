namespace CrossDomain.Engine.Graph;

/// <summary>A validated pipeline: stages in dependency order plus where things live.</summary>
public sealed class PipelineDefinition
{
    public required string ConfigPath { get; init; }
    /// <summary>Directory that relative paths in the file resolve against.</summary>
    public required string Root { get; init; }
    public required string ArtifactsRoot { get; init; }
    /// <summary>
    /// The lock: what each stage last produced into this artifacts root. It belongs to the root, not to the config
    /// file (<c>&lt;artifacts&gt;/pipeline.lock</c>, or <c>--lock</c>), so two roots run from one config never share it.
    /// </summary>
    public required string LockPath { get; init; }
    /// <summary>Where locks lived before they moved into the artifacts root (<c>&lt;config&gt;.lock</c> beside the config); read once to migrate.</summary>
    public string? LegacyLockPath { get; init; }
    /// <summary>Stages in a topological order that keeps declaration order where the graph allows.</summary>
    public required IReadOnlyList<StageDefinition> Stages { get; init; }

    public StageDefinition? Find(string name) => Stages.FirstOrDefault(s => s.Name == name);

    /// <summary>
    /// The stages a command-line target names: the stage of that name, or every stage a matrix generated from it
    /// (<c>name@values</c>), as a dep on the matrix's name means; empty when neither exists.
    /// </summary>
    public IReadOnlyList<string> Expand(string target) =>
        Find(target) is not null ? [target] : Stages.Where(s => s.Name.StartsWith(target + "@", StringComparison.Ordinal)).Select(s => s.Name).ToList();

    /// <summary>The named stages and every stage upstream of them, in dependency order.</summary>
    public IReadOnlyList<StageDefinition> WithUpstream(IEnumerable<string> names)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(names);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!wanted.Add(n)) continue;
            foreach (var u in Find(n)!.UpstreamStages) stack.Push(u);
        }
        return Stages.Where(s => wanted.Contains(s.Name)).ToList();
    }

    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');
}
