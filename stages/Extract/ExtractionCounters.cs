namespace CrossDomain.Stages.Extract;

/// <summary>Per-run counts for the extraction report. Thread-safe.</summary>
public sealed class ExtractionCounters
{
    private long _calls, _cacheHits, _regenerations, _invalid, _failedCalls, _tokensIn, _tokensOut, _cachedTokensIn, _cachedTokensOut;

    /// <summary>Calls sent to the provider in this run.</summary>
    public long Calls => Interlocked.Read(ref _calls);
    public long CacheHits => Interlocked.Read(ref _cacheHits);
    /// <summary>Answers that did not conform and were asked again.</summary>
    public long Regenerations => Interlocked.Read(ref _regenerations);
    /// <summary>Asks that still had no conforming answer after every regeneration.</summary>
    public long Invalid => Interlocked.Read(ref _invalid);
    /// <summary>Calls that failed at the transport level after every retry.</summary>
    public long FailedCalls => Interlocked.Read(ref _failedCalls);
    public long TokensIn => Interlocked.Read(ref _tokensIn);
    public long TokensOut => Interlocked.Read(ref _tokensOut);
    /// <summary>Tokens of the answers served from the cache (spent in earlier runs).</summary>
    public long CachedTokensIn => Interlocked.Read(ref _cachedTokensIn);
    public long CachedTokensOut => Interlocked.Read(ref _cachedTokensOut);

    public void Call(long tokensIn, long tokensOut)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _tokensIn, tokensIn);
        Interlocked.Add(ref _tokensOut, tokensOut);
    }

    public void CacheHit(long tokensIn, long tokensOut)
    {
        Interlocked.Increment(ref _cacheHits);
        Interlocked.Add(ref _cachedTokensIn, tokensIn);
        Interlocked.Add(ref _cachedTokensOut, tokensOut);
    }

    public void Regeneration() => Interlocked.Increment(ref _regenerations);
    public void InvalidAnswer() => Interlocked.Increment(ref _invalid);
    public void FailedCall() => Interlocked.Increment(ref _failedCalls);
}
