using CrossDomain.Engine.Config;
using CrossDomain.Engine.Stages;

namespace CrossDomain.Engine.Graph;

/// <summary>An output of a stage with its absolute path.</summary>
public sealed record ResolvedOutput(string Stage, OutputSpec Spec, string Path)
{
    public string Id => $"{Stage}.{Spec.Name}";
}

/// <summary>An input file or directory outside every stage's outputs: hashed into the fingerprint.</summary>
public sealed record ExternalInput(string Key, string Path);

/// <summary>A stage of a validated pipeline: kind, bound params, resolved inputs and outputs.</summary>
public sealed class StageDefinition
{
    public required string Name { get; init; }
    public required IStageKind Kind { get; init; }
    public required object Params { get; init; }
    public required string ParamsJson { get; init; }
    public required Location At { get; init; }
    public string? Description { get; init; }

    /// <summary>Upstream outputs this stage depends on, by id (stage.output).</summary>
    public List<ResolvedOutput> Upstream { get; } = [];
    public List<ExternalInput> Inputs { get; } = [];
    public Dictionary<string, ResolvedOutput> Outputs { get; } = new(StringComparer.Ordinal);

    /// <summary>Required input name to the upstream output that provides it.</summary>
    public Dictionary<string, ResolvedOutput> InputBindings { get; } = new(StringComparer.Ordinal);

    public IEnumerable<string> UpstreamStages => Upstream.Select(u => u.Stage).Distinct();
}
