namespace CrossDomain.Stages.Extract;

/// <summary>
/// Per-run counts for the extraction report that only the extraction knows: cache hits, regenerations and invalid
/// answers. Calls, tokens and failed calls are counted by the chat client's middleware (ChatConnection.Usage).
/// Thread-safe.
/// </summary>
public sealed class ExtractionCounters
{
    private long _cacheHits, _regenerations, _invalid, _cachedTokensIn, _cachedTokensOut;

    public long CacheHits => Interlocked.Read(ref _cacheHits);
    /// <summary>Answers that did not conform and were asked again.</summary>
    public long Regenerations => Interlocked.Read(ref _regenerations);
    /// <summary>Asks that still had no conforming answer after every regeneration.</summary>
    public long Invalid => Interlocked.Read(ref _invalid);
    /// <summary>Tokens of the answers served from the cache (spent in earlier runs).</summary>
    public long CachedTokensIn => Interlocked.Read(ref _cachedTokensIn);
    public long CachedTokensOut => Interlocked.Read(ref _cachedTokensOut);

    public void CacheHit(long tokensIn, long tokensOut)
    {
        Interlocked.Increment(ref _cacheHits);
        Interlocked.Add(ref _cachedTokensIn, tokensIn);
        Interlocked.Add(ref _cachedTokensOut, tokensOut);
    }

    /// <summary>Starts the counts again (batch mode walks the extraction once per round; the last round's counts are the run's).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _cacheHits, 0);
        Interlocked.Exchange(ref _regenerations, 0);
        Interlocked.Exchange(ref _invalid, 0);
        Interlocked.Exchange(ref _cachedTokensIn, 0);
        Interlocked.Exchange(ref _cachedTokensOut, 0);
    }

    public void Regeneration() => Interlocked.Increment(ref _regenerations);
    public void InvalidAnswer() => Interlocked.Increment(ref _invalid);
}
