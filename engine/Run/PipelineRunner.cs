using System.Diagnostics;
using CrossDomain.Engine.Graph;
using CrossDomain.Engine.Hashing;
using CrossDomain.Engine.Lock;
using CrossDomain.Engine.Progress;
using CrossDomain.Engine.Stages;

namespace CrossDomain.Engine.Run;

public sealed record RunOptions
{
    /// <summary>Stage names to bring up to date; empty means all.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];
    /// <summary>Rerun the named stages even when fresh (every stage when none is named); their stale upstream still runs, fresh upstream does not.</summary>
    public bool Force { get; init; }
    /// <summary>With <see cref="Force"/>: rerun every stage upstream of the named ones too (as DVC's <c>repro -f -R</c>).</summary>
    public bool ForceUpstream { get; init; }
    public bool DryRun { get; init; }
    /// <summary>
    /// A dry run that also asks each stale stage whose upstream is fresh what running it would cost
    /// (<see cref="IStageKind.EstimateAsync"/>); nothing runs.
    /// </summary>
    public bool Estimate { get; init; }
    /// <summary>Run only the named stages, not their stale upstream (inputs must exist).</summary>
    public bool Single { get; init; }
    /// <summary>Let stages continue partial work a cut-off run left (training checkpoints); false starts them over.</summary>
    public bool Resume { get; init; } = true;
    /// <summary>Restore a stale stage's outputs from the run-cache when it holds a run of exactly this state (<see cref="RunCache"/>); false always runs.</summary>
    public bool UseRunCache { get; init; } = true;
}

public enum StageOutcome
{
    UpToDate, Ran, WouldRun, Failed, Skipped, Restored,
    /// <summary>The stage handed work to an outside service and finishes on a later run (<see cref="StageWaitingException"/>).</summary>
    Waiting,
}

public sealed record StageRunResult(string Stage, StageOutcome Outcome, IReadOnlyList<string> Reasons, double Seconds, string? Error = null)
{
    /// <summary>With <see cref="RunOptions.Estimate"/>: what running the stage would cost, or why that cannot be said yet.</summary>
    public IReadOnlyList<string> Estimate { get; init; } = [];
}

public sealed record RunResult(IReadOnlyList<StageRunResult> Stages, bool Cancelled)
{
    public bool Succeeded => !Cancelled && Stages.All(s => s.Outcome is not (StageOutcome.Failed or StageOutcome.Waiting));
    /// <summary>Nothing failed, but a stage waits on outside work (the CLI's exit code 3).</summary>
    public bool Waiting => !Cancelled && Stages.All(s => s.Outcome != StageOutcome.Failed) && Stages.Any(s => s.Outcome == StageOutcome.Waiting);
}

/// <summary>
/// Runs stale stages in dependency order: snapshot inputs, run the stage into a temporary folder, move its
/// outputs into place, then record it in the lock. The lock is only ever written after outputs are in place.
/// </summary>
public sealed class PipelineRunner(PipelineDefinition pipeline, IProgressSink progress)
{
    public string StatePath => Path.Combine(pipeline.ArtifactsRoot, ".state", "hashes.json");

    public async Task<RunResult> RunAsync(RunOptions options, CancellationToken cancellationToken)
    {
        var targets = new List<string>();
        foreach (var t in options.Targets)
        {
            var named = pipeline.Expand(t);
            if (named.Count == 0)
                throw new ArgumentException($"unknown stage '{t}'; stages: {string.Join(", ", pipeline.Stages.Select(s => s.Name))}");
            targets.AddRange(named.Where(n => !targets.Contains(n)));
        }

        Directory.CreateDirectory(pipeline.ArtifactsRoot);
        if (options.Estimate) options = options with { DryRun = true };
        using var runLock = options.DryRun ? null : AcquireRunLock(pipeline);
        var store = new ArtifactStore(pipeline.ArtifactsRoot);
        if (!options.DryRun)
        {
            store.Recover();
            var emptied = new CleanTrash(pipeline).Empty();
            if (emptied.Items > 0) progress.Info($"emptied the trash of the last clean ({emptied.Items} item(s), {emptied.Bytes / 1e6:F1} MB)");
        }

        var hasher = new ContentHasher(StatePath);
        var lockFile = LockFile.Open(pipeline);
        var evaluator = new StatusEvaluator(pipeline, lockFile, hasher);
        var runCache = new RunCache(pipeline.ArtifactsRoot);

        var selected = targets.Count == 0 ? pipeline.Stages
            : options.Single ? pipeline.Stages.Where(s => targets.Contains(s.Name)).ToList()
            : pipeline.WithUpstream(targets);
        var statuses = new Dictionary<string, StageStatus>(StringComparer.Ordinal);
        var results = new List<StageRunResult>();
        var failed = false;
        var upgraded = false;
        try
        {
            foreach (var stage in selected)
            {
                if (cancellationToken.IsCancellationRequested) return new RunResult(results, Cancelled: true);
                if (failed)
                {
                    results.Add(new StageRunResult(stage.Name, StageOutcome.Skipped, ["an earlier stage failed or waits"], 0));
                    statuses[stage.Name] = new StageStatus(stage.Name, StageState.Stale, [], null);
                    continue;
                }
                // With --single, upstream stages outside the selection count as they are on disk.
                var upstream = options.Single ? new Dictionary<string, StageStatus>() : statuses;
                var status = evaluator.Evaluate(stage, upstream);
                var forced = options.Force && (targets.Count == 0 || options.ForceUpstream || targets.Contains(stage.Name));
                if (status.State == StageState.Fresh && !forced)
                {
                    // A fresh entry of an older lock format gets the current fingerprint; the lock is saved below.
                    if (!options.DryRun && status.Fingerprint is { } current && lockFile.Stages[stage.Name] is { } entry && entry.Fingerprint != current)
                    {
                        lockFile.Stages[stage.Name] = entry.WithFingerprint(current);
                        upgraded = true;
                    }
                    statuses[stage.Name] = status;
                    results.Add(new StageRunResult(stage.Name, StageOutcome.UpToDate, [], 0));
                    continue;
                }
                var reasons = status.State == StageState.Fresh ? (IReadOnlyList<string>)["--force"] : status.Reasons;
                var restorable = options.UseRunCache && !forced && RunCache.Applies(stage);
                if (options.DryRun)
                {
                    // Only a stage whose upstream is fresh has a fingerprint to look up before anything runs.
                    if (restorable && runCache.RestoreNote(stage, status.Fingerprint) is { } note) reasons = [.. reasons, note];
                    statuses[stage.Name] = status with { State = StageState.Stale };
                    var estimate = options.Estimate ? await EstimateAsync(stage, status, statuses, cancellationToken) : [];
                    results.Add(new StageRunResult(stage.Name, StageOutcome.WouldRun, reasons, 0) { Estimate = estimate });
                    continue;
                }
                var result = await RunStageAsync(stage, reasons, store, hasher, lockFile, options, restorable ? runCache : null, cancellationToken);
                results.Add(result);
                if (result.Outcome is StageOutcome.Failed or StageOutcome.Waiting)
                {
                    failed = true;
                    statuses[stage.Name] = new StageStatus(stage.Name, StageState.Stale, [], null);
                    if (cancellationToken.IsCancellationRequested) return new RunResult(results, Cancelled: true);
                }
                else statuses[stage.Name] = new StageStatus(stage.Name, StageState.Fresh, [], null);
            }
        }
        finally
        {
            if (upgraded) lockFile.Save(pipeline.LockPath);
            hasher.Save();
        }
        return new RunResult(results, Cancelled: false);
    }

    private async Task<StageRunResult> RunStageAsync(StageDefinition stage, IReadOnlyList<string> reasons, ArtifactStore store,
        ContentHasher hasher, LockFile lockFile, RunOptions options, RunCache? runCache, CancellationToken cancellationToken)
    {
        var snapshot = StageSnapshot.Take(pipeline, stage, hasher);
        if (snapshot is null)
        {
            var missing = stage.Upstream.Where(u => !File.Exists(u.Path) && !Directory.Exists(u.Path)).Select(u => pipeline.Relative(u.Path))
                .Concat(stage.Inputs.Where(i => !File.Exists(i.Path) && !Directory.Exists(i.Path)).Select(i => i.Path));
            return new StageRunResult(stage.Name, StageOutcome.Failed, reasons, 0, $"inputs missing: {string.Join(", ", missing)}");
        }
        if (runCache?.Find(snapshot.Fingerprint) is { } cached && TryRestore(stage, cached, runCache, store) is var restored && restored)
        {
            Record(stage, snapshot, hasher, lockFile, cached.DurationSeconds, cached.RanAt);
            progress.Info($"restored {stage.Name} from the run-cache ({string.Join("; ", reasons)}): its outputs of the run of {cached.RanAt.ToUniversalTime():yyyy-MM-dd HH:mm} UTC ({cached.DurationSeconds:F1} s)");
            return new StageRunResult(stage.Name, StageOutcome.Restored, reasons, 0);
        }
        progress.Info($"running {stage.Name} ({stage.Kind.Name}): {string.Join("; ", reasons)}");
        var temp = store.CreateTemp(stage.Name);
        var outputPaths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, output) in stage.Outputs)
        {
            if (output.Spec.WrittenInPlace) { outputPaths[name] = output.Path; continue; }
            var path = Path.Combine(temp, name, output.Spec.FileName);
            Directory.CreateDirectory(output.Spec.IsDirectory ? path : Path.GetDirectoryName(path)!);
            outputPaths[name] = path;
        }
        var context = Context(stage, snapshot.Fingerprint, outputPaths, options.Resume);
        var clock = Stopwatch.StartNew();
        try
        {
            await stage.Kind.RunAsync(context, stage.Params, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var (name, path) in outputPaths)
                if (!File.Exists(path) && !(stage.Outputs[name].Spec.IsDirectory && Directory.Exists(path)))
                    throw new InvalidOperationException($"stage finished without writing its output '{name}'");
            store.Commit(stage.Name, stage.Outputs.Where(o => !o.Value.Spec.WrittenInPlace).Select(o => (outputPaths[o.Key], o.Value.Path)).ToList());
        }
        catch (StageWaitingException w)
        {
            ArtifactStore.DeleteTemp(temp);
            progress.Info($"{stage.Name} waits: {w.Message}");
            return new StageRunResult(stage.Name, StageOutcome.Waiting, reasons, clock.Elapsed.TotalSeconds, w.Message);
        }
        catch (Exception e)
        {
            ArtifactStore.DeleteTemp(temp);
            var message = e is OperationCanceledException ? "interrupted" : e.Message;
            progress.Warn($"stage {stage.Name} failed: {message}");
            if (e is not OperationCanceledException and not StageException and not InvalidDataException and not IOException)
                progress.Verbose(e.ToString());
            return new StageRunResult(stage.Name, StageOutcome.Failed, reasons, clock.Elapsed.TotalSeconds, message);
        }
        ArtifactStore.DeleteTemp(temp);

        var ranAt = DateTimeOffset.UtcNow;
        var locked = Record(stage, snapshot, hasher, lockFile, clock.Elapsed.TotalSeconds, ranAt);
        if (runCache is not null)
            try { runCache.Save(stage, snapshot.Fingerprint, locked.Outputs.ToDictionary(o => o.Key, o => (o.Value.Hash, o.Value.Size)), clock.Elapsed.TotalSeconds, ranAt); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                progress.Warn($"{stage.Name}: its outputs are in place, but keeping them in the run-cache failed: {e.Message}");
            }
        progress.Info($"finished {stage.Name} in {clock.Elapsed.TotalSeconds:F1} s");
        return new StageRunResult(stage.Name, StageOutcome.Ran, reasons, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The stage's own estimate, read from its inputs as they are. A stage whose upstream would run first has no
    /// inputs to read yet (its fingerprint is unknown): it says which to run.
    /// </summary>
    private async Task<IReadOnlyList<string>> EstimateAsync(StageDefinition stage, StageStatus status,
        IReadOnlyDictionary<string, StageStatus> statuses, CancellationToken cancellationToken)
    {
        if (status.Fingerprint is null)
        {
            var stale = stage.UpstreamStages.Where(u => statuses.TryGetValue(u, out var s) && s.State != StageState.Fresh).ToList();
            return [stale.Count > 0
                ? $"no estimate until its inputs are up to date: run {string.Join(", ", stale)} first, then estimate again"
                : "no estimate: some of its inputs are missing"];
        }
        var context = Context(stage, status.Fingerprint, new Dictionary<string, string>(), resume: true);
        try { return await stage.Kind.EstimateAsync(context, stage.Params, cancellationToken) ?? ["no estimate for this stage kind (it calls no paid service)"]; }
        catch (Exception e) when (e is StageException or IOException or InvalidDataException)
        {
            return [$"no estimate: {e.Message}"];
        }
    }

    /// <summary>What a stage sees when it runs or estimates: its inputs bound through its deps, and the given outputs.</summary>
    private StageContext Context(StageDefinition stage, string fingerprint, IReadOnlyDictionary<string, string> outputPaths, bool resume) => new()
    {
        StageName = stage.Name, KindName = stage.Kind.Name, Fingerprint = fingerprint, ProjectRoot = pipeline.Root,
        ArtifactsRoot = pipeline.ArtifactsRoot, OutputPaths = outputPaths,
        InputPaths = stage.InputBindings.ToDictionary(kv => kv.Key, kv => kv.Value.Path),
        Upstream = stage.Upstream.Select(u => new UpstreamOutput(u.Stage, u.Spec.Name, u.Path)).ToList(),
        Resume = resume,
        Progress = new StageProgressSink(stage.Name, progress),
    };

    /// <summary>Hashes the outputs now in place and records the run in the lock (saved at once).</summary>
    private LockedStage Record(StageDefinition stage, StageSnapshot snapshot, ContentHasher hasher, LockFile lockFile, double seconds, DateTimeOffset ranAt)
    {
        var outputs = new SortedDictionary<string, LockedFile>(StringComparer.Ordinal);
        foreach (var (name, output) in stage.Outputs)
        {
            hasher.Forget(output.Path);
            var h = hasher.TryHash(output.Path)!;
            outputs[name] = new LockedFile(pipeline.Relative(output.Path), h.Hash, h.Size);
        }
        var locked = lockFile.Stages[stage.Name] = new LockedStage
        {
            Kind = snapshot.Kind, Version = snapshot.Version, Fingerprint = snapshot.Fingerprint, ParamsJson = snapshot.ParamsJson,
            Inputs = snapshot.Inputs, Upstream = snapshot.Upstream, Outputs = outputs,
            DurationSeconds = seconds, RanAt = ranAt,
        };
        lockFile.Save(pipeline.LockPath);
        hasher.Save();
        return locked;
    }

    /// <summary>Restores a cached run's outputs through a temporary folder and the same atomic move a run ends with.</summary>
    private bool TryRestore(StageDefinition stage, RunCache.Entry entry, RunCache runCache, ArtifactStore store)
    {
        var temp = store.CreateTemp(stage.Name);
        try
        {
            var paths = stage.Outputs.ToDictionary(o => o.Key, o => Path.Combine(temp, o.Key, o.Value.Spec.FileName), StringComparer.Ordinal);
            if (runCache.Restore(entry, paths) is { } problem)
            {
                progress.Warn($"{stage.Name}: the run-cache entry for this state was dropped ({problem}); running the stage");
                return false;
            }
            store.Commit(stage.Name, stage.Outputs.Select(o => (paths[o.Key], o.Value.Path)).ToList());
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            progress.Warn($"{stage.Name}: restoring from the run-cache failed ({e.Message}); running the stage");
            return false;
        }
        finally
        {
            ArtifactStore.DeleteTemp(temp);
        }
    }

    /// <summary>The artifacts root's run lock: held by a run, and by a clean, so that neither moves what the other writes.</summary>
    public static FileStream AcquireRunLock(PipelineDefinition pipeline)
    {
        var path = Path.Combine(pipeline.ArtifactsRoot, ".state", "run.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose); }
        catch (IOException)
        {
            throw new StageException($"a run or clean of this pipeline holds {path}; wait for it to finish");
        }
    }
}

