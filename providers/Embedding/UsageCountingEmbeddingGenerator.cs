using Microsoft.Extensions.AI;

namespace CrossDomain.Providers.Embedding;

/// <summary>What an embedding connection spent: answered requests, the texts in them and their input tokens as reported.</summary>
public sealed class EmbeddingUsage
{
    private long _requests, _texts, _tokens;

    public long Requests => Interlocked.Read(ref _requests);
    public long Texts => Interlocked.Read(ref _texts);
    /// <summary>Input tokens the provider reported (0 where it reports none).</summary>
    public long Tokens => Interlocked.Read(ref _tokens);

    internal void Answered(int texts, long tokens)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _texts, texts);
        Interlocked.Add(ref _tokens, tokens);
    }
}

/// <summary>Embedding middleware (<c>AsBuilder().Use(...)</c>) that counts each answered request, its texts and tokens.</summary>
public sealed class UsageCountingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, EmbeddingUsage usage)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = await base.GenerateAsync(values, options, cancellationToken);
        usage.Answered(result.Count, result.Usage?.InputTokenCount ?? 0);
        return result;
    }
}
