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

    IReadOnlyList<OutputSpec> IStageKind.Outputs(object parameters) => Outputs((TParams)parameters);
    IReadOnlyList<string> IStageKind.RequiredInputs(object parameters) => RequiredInputs((TParams)parameters);
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
