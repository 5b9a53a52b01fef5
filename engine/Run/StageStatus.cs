namespace CrossDomain.Engine.Run;

public enum StageState
{
    /// <summary>Outputs exist and match the lock, and nothing the stage depends on changed.</summary>
    Fresh,
    /// <summary>Something the stage depends on changed, or its outputs were modified.</summary>
    Stale,
    /// <summary>Never run, or an output is gone.</summary>
    Missing,
}

public sealed record StageStatus(string Stage, StageState State, IReadOnlyList<string> Reasons, string? Fingerprint);
