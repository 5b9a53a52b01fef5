namespace CrossDomain.Providers.Resilience;

/// <summary>What the resilience pipeline did, for the extraction report. Thread-safe.</summary>
public sealed class ResilienceCounters
{
    private long _attempts, _retries, _timeouts, _throttled, _serverErrors;

    public long Attempts => Interlocked.Read(ref _attempts);
    public long Retries => Interlocked.Read(ref _retries);
    public long Timeouts => Interlocked.Read(ref _timeouts);
    /// <summary>429 answers.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);
    /// <summary>5xx answers.</summary>
    public long ServerErrors => Interlocked.Read(ref _serverErrors);

    internal void Attempt() => Interlocked.Increment(ref _attempts);
    internal void Retry() => Interlocked.Increment(ref _retries);
    internal void Timeout() => Interlocked.Increment(ref _timeouts);
    internal void Throttle() => Interlocked.Increment(ref _throttled);
    internal void ServerError() => Interlocked.Increment(ref _serverErrors);
}
