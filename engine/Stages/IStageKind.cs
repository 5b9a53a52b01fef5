namespace CrossDomain.Engine.Stages;

/// <summary>
/// One declared output of a stage. <paramref name="FileName"/> is relative to <c>artifacts/&lt;stage&gt;/</c>
/// unless the pipeline file overrides the path under <c>outs:</c>.
/// <paramref name="WrittenInPlace"/> outputs (large downloads that resume) are written by the stage at their
/// final path; every other output is written to a temporary folder and moved into place on success.
/// A <paramref name="RunRecord"/> output holds facts of one run (timings, calls made, cache hits): it is written and
/// locked like the others, but no dependant's fingerprint includes it, so a rerun that reproduces the same data
/// leaves every downstream stage fresh however its timings differ.
/// </summary>
public sealed record OutputSpec(string Name, string FileName, bool IsDirectory = false, bool WrittenInPlace = false,
    string? DefaultPath = null, bool RunRecord = false);

/// <summary>A stage kind: what <c>uses:</c> names in pipeline.yaml.</summary>
public interface IStageKind
{
    /// <summary>The name used in <c>uses:</c>.</summary>
    string Name { get; }

    /// <summary>Bump when the implementation changes its outputs for the same inputs; it is part of the fingerprint.</summary>
    int Version { get; }

    string Description { get; }

    Type ParamsType { get; }

    IReadOnlyList<OutputSpec> Outputs(object parameters);

    /// <summary>Names of upstream outputs this stage reads (resolved through its deps).</summary>
    IReadOnlyList<string> RequiredInputs(object parameters);

    Task RunAsync(StageContext context, object parameters, CancellationToken cancellationToken);

    /// <summary>
    /// What running this stage would cost (calls to a paid service, their tokens and price), worked out from its
    /// inputs without sending or writing anything, as lines for the terminal; null when the kind has no estimate.
    /// The context's outputs are not bound.
    /// </summary>
    Task<IReadOnlyList<string>?> EstimateAsync(StageContext context, object parameters, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>?>(null);

    /// <summary>
    /// Outside work this stage waits on (batch jobs in flight), for <c>status</c>: "waiting for batch jobs: 3 of 5
    /// done"; null when none. Read from the stage's own records under the artifacts folder; sends nothing.
    /// </summary>
    string? Waiting(object parameters, string artifactsRoot) => null;

    /// <summary>
    /// Facts about what this stage's outputs will hold that its params already decide (ingest: the names of its
    /// domains), by name. Dependants see them, and their own upstream's, in <see cref="CheckUpstream"/>.
    /// </summary>
    IReadOnlyDictionary<string, IReadOnlyCollection<string>> Facts(object parameters) => StageFacts.None;

    /// <summary>Problems (param key, message) of this stage's params against its upstream's facts, found before anything runs.</summary>
    IEnumerable<(string Key, string Message)> CheckUpstream(object parameters, IReadOnlyDictionary<string, IReadOnlyCollection<string>> upstreamFacts) => [];

    /// <summary>
    /// Defaults that depend on the stage's own params, beneath the pipeline's <c>defaults.&lt;kind&gt;</c> and the
    /// stage's <c>params</c> (the train stage: the chosen model's defaults file, as RecBole's model YAML sits beneath
    /// its config files); null for none. <paramref name="parameters"/> is the stage's params over the pipeline's defaults.
    /// </summary>
    YamlDotNet.RepresentationModel.YamlMappingNode? ParamDefaults(YamlDotNet.RepresentationModel.YamlMappingNode parameters) => null;
}

public static class StageFacts
{
    public static readonly IReadOnlyDictionary<string, IReadOnlyCollection<string>> None = new Dictionary<string, IReadOnlyCollection<string>>();
}

/// <summary>Typed base class: stage kinds implement this and get the untyped interface for free.</summary>
public abstract class StageKind<TParams> : IStageKind where TParams : class, new()
{
    public abstract string Name { get; }
    public abstract int Version { get; }
    public abstract string Description { get; }
    public Type ParamsType => typeof(TParams);

    public abstract IReadOnlyList<OutputSpec> Outputs(TParams parameters);
    public virtual IReadOnlyList<string> RequiredInputs(TParams parameters) => [];
    public abstract Task RunAsync(StageContext context, TParams parameters, CancellationToken cancellationToken);

    public virtual IReadOnlyDictionary<string, IReadOnlyCollection<string>> Facts(TParams parameters) => StageFacts.None;
    public virtual string? Waiting(TParams parameters, string artifactsRoot) => null;
    string? IStageKind.Waiting(object parameters, string artifactsRoot) => Waiting((TParams)parameters, artifactsRoot);
    public virtual Task<IReadOnlyList<string>?> EstimateAsync(StageContext context, TParams parameters, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>?>(null);
    public virtual IEnumerable<(string Key, string Message)> CheckUpstream(TParams parameters, IReadOnlyDictionary<string, IReadOnlyCollection<string>> upstreamFacts) => [];
    public virtual YamlDotNet.RepresentationModel.YamlMappingNode? ParamDefaults(YamlDotNet.RepresentationModel.YamlMappingNode parameters) => null;

    IReadOnlyDictionary<string, IReadOnlyCollection<string>> IStageKind.Facts(object parameters) => Facts((TParams)parameters);
    IEnumerable<(string Key, string Message)> IStageKind.CheckUpstream(object parameters, IReadOnlyDictionary<string, IReadOnlyCollection<string>> upstreamFacts) =>
        CheckUpstream((TParams)parameters, upstreamFacts);
    IReadOnlyList<OutputSpec> IStageKind.Outputs(object parameters) => Outputs((TParams)parameters);
    IReadOnlyList<string> IStageKind.RequiredInputs(object parameters) => RequiredInputs((TParams)parameters);
    Task<IReadOnlyList<string>?> IStageKind.EstimateAsync(StageContext context, object parameters, CancellationToken cancellationToken) =>
        EstimateAsync(context, (TParams)parameters, cancellationToken);
    Task IStageKind.RunAsync(StageContext context, object parameters, CancellationToken cancellationToken) =>
        RunAsync(context, (TParams)parameters, cancellationToken);
}

/// <summary>The set of stage kinds a pipeline may use. The CLI registers the real ones; tests may add their own.</summary>
public sealed class StageRegistry
{
    private readonly Dictionary<string, IStageKind> _kinds = new(StringComparer.Ordinal);

    public StageRegistry Register(IStageKind kind)
    {
        if (!_kinds.TryAdd(kind.Name, kind))
            throw new InvalidOperationException($"stage kind '{kind.Name}' registered twice");
        return this;
    }

    public bool TryGet(string name, out IStageKind kind) => _kinds.TryGetValue(name, out kind!);
    public IEnumerable<IStageKind> All => _kinds.Values.OrderBy(k => k.Name, StringComparer.Ordinal);
}
