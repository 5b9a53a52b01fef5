using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace CrossDomain.Providers.Caching;

/// <summary>
/// The per-text embedding cache as middleware: Microsoft.Extensions.AI's <see cref="DistributedCachingEmbeddingGenerator{TInput,TEmbedding}"/>
/// over an <see cref="IDistributedCache"/> (a <see cref="CallCache"/>), keyed by <c>CallKey.Of("embedding", provider,
/// model, text)</c> so that caches written before it stay valid, and storing <see cref="CachedCall"/> rows whose
/// response is the vector's float32 bytes in base64. The base class looks every text up and sends the misses of a
/// call as one request; <see cref="Hits"/> and <see cref="Stored"/> count what it did.
/// </summary>
public sealed class CallCachingEmbeddingGenerator : DistributedCachingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly IDistributedCache _storage;
    private readonly string _provider, _model;
    // Key -> text between the lookup and the write of a miss, for the row's subject (the base class hands only the key on).
    private readonly ConcurrentDictionary<string, string> _missed = new(StringComparer.Ordinal);
    private long _hits, _stored;

    public CallCachingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, IDistributedCache storage, string provider, string model)
        : base(inner, storage) => (_storage, _provider, _model) = (storage, provider, model);

    public long Hits => Interlocked.Read(ref _hits);
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>The key of a text's vector (options do not enter it: the model and provider are fixed per generator).</summary>
    public static string KeyOf(string provider, string model, string text) => CallKey.Of("embedding", provider, model, text);

    protected override string GetCacheKey(params ReadOnlySpan<object?> values)
    {
        var text = (string)values[0]!;
        var key = KeyOf(_provider, _model, text);
        _missed[key] = text;
        return key;
    }

    protected override async Task<Embedding<float>?> ReadCacheAsync(string key, CancellationToken cancellationToken)
    {
        if (await CallCache.ReadAsync(_storage, key, cancellationToken) is not { } call) return null;
        _missed.TryRemove(key, out _);
        Interlocked.Increment(ref _hits);
        return new Embedding<float>(Decode(call.Response)) { ModelId = _model };
    }

    protected override async Task WriteCacheAsync(string key, Embedding<float> value, CancellationToken cancellationToken)
    {
        _missed.TryRemove(key, out var text);
        var row = new CachedCall
        {
            Key = key, Task = "embedding", Subject = Subject(text), Provider = _provider, Model = _model,
            Response = Encode(value.Vector.Span), CreatedUtc = DateTime.UtcNow,
        };
        await CallCache.WriteAsync(_storage, row, cancellationToken);
        Interlocked.Increment(ref _stored);
    }

    /// <summary>What <c>crossdomain inspect</c> shows of the text: its first 80 characters.</summary>
    private static string Subject(string? text) => text is null ? "" : text.Length <= 80 ? text : text[..80] + "…";

    private static string Encode(ReadOnlySpan<float> v) => Convert.ToBase64String(MemoryMarshal.AsBytes(v));
    private static float[] Decode(string s) => MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(s)).ToArray();
}
