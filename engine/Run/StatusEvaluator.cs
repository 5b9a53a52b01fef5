using CrossDomain.Engine.Graph;
using CrossDomain.Engine.Hashing;
using CrossDomain.Engine.Lock;

namespace CrossDomain.Engine.Run;

/// <summary>
/// Decides, stage by stage in dependency order, whether a stage is fresh, and if not, why. It never reads an
/// output's contents when its size and mtime match what was hashed before.
/// </summary>
public sealed class StatusEvaluator(PipelineDefinition pipeline, LockFile lockFile, ContentHasher hasher)
{
    public StageStatus Evaluate(StageDefinition stage, IReadOnlyDictionary<string, StageStatus> upstreamStatus)
    {
        var reasons = new List<string>();
        if (!lockFile.Stages.TryGetValue(stage.Name, out var locked))
        {
            reasons.Add("never run (not in the lock file)");
            // With its upstream fresh, its fingerprint is known now (the run-cache may hold a run of it).
            var known = stage.UpstreamStages.All(u => upstreamStatus.TryGetValue(u, out var us) && us.State == StageState.Fresh)
                ? StageSnapshot.Take(pipeline, stage, hasher)?.Fingerprint : null;
            return new StageStatus(stage.Name, StageState.Missing, reasons, known);
        }

        var state = StageState.Fresh;
        foreach (var (name, output) in stage.Outputs)
        {
            var rel = pipeline.Relative(output.Path);
            if (!locked.Outputs.TryGetValue(name, out var lo) || lo.Path != rel)
            {
                reasons.Add($"output {name} is new or moved to {rel}");
                state = Max(state, StageState.Stale);
                continue;
            }
            var h = hasher.TryHash(output.Path);
            if (h is null) { reasons.Add($"output {rel} is missing"); state = StageState.Missing; }
            else if (h.Hash != lo.Hash && !output.Spec.RunRecord) { reasons.Add($"output {rel} was modified after the stage wrote it"); state = Max(state, StageState.Stale); }
        }

        foreach (var u in stage.UpstreamStages)
            if (upstreamStatus.TryGetValue(u, out var us) && us.State != StageState.Fresh)
            {
                reasons.Add($"upstream stage {u} is {us.State.ToString().ToLowerInvariant()}");
                state = Max(state, StageState.Stale);
            }
        if (reasons.Count > 0) return new StageStatus(stage.Name, state, reasons, null);

        var snapshot = StageSnapshot.Take(pipeline, stage, hasher);
        if (snapshot is null)
            return new StageStatus(stage.Name, StageState.Stale, ["an input file or upstream output is missing"], null);
        if (snapshot.Fingerprint != locked.Fingerprint)
        {
            // A lock of format 1 fingerprinted prompt templates apart from other inputs: the same state is fresh.
            if (locked.LegacyPromptKeys.Count > 0 && snapshot.LegacyFingerprint(locked.LegacyPromptKeys) == locked.Fingerprint)
                return new StageStatus(stage.Name, StageState.Fresh, [], snapshot.Fingerprint);
            reasons.AddRange(snapshot.DiffAgainst(locked));
            if (reasons.Count == 0) reasons.Add("fingerprint changed");
            return new StageStatus(stage.Name, StageState.Stale, reasons, snapshot.Fingerprint);
        }
        return new StageStatus(stage.Name, StageState.Fresh, [], snapshot.Fingerprint);
    }

    /// <summary>Status of the given stages (and what they need from upstream), in dependency order.</summary>
    public IReadOnlyList<StageStatus> EvaluateAll(IEnumerable<StageDefinition> stages)
    {
        var results = new Dictionary<string, StageStatus>(StringComparer.Ordinal);
        var list = new List<StageStatus>();
        foreach (var s in stages)
        {
            var st = Evaluate(s, results);
            results[s.Name] = st;
            list.Add(st);
        }
        return list;
    }

    private static StageState Max(StageState a, StageState b) => (StageState)Math.Max((int)a, (int)b);
}
