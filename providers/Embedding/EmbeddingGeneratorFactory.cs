using CrossDomain.Providers.Chat;
using CrossDomain.Providers.Resilience;
using Microsoft.Extensions.AI;
using CrossDomain.Providers.Services;

namespace CrossDomain.Providers.Embedding;

/// <summary>A ready embedding generator, the counters of its resilience pipeline, and the secret to redact.</summary>
public sealed class EmbeddingConnection(IEmbeddingGenerator<string, Embedding<float>> generator, ResilienceCounters counters, EmbeddingUsage usage,
    string? secret, HttpClient http) : IDisposable
{
    public IEmbeddingGenerator<string, Embedding<float>> Generator { get; } = generator;
    public ResilienceCounters Counters { get; } = counters;
    /// <summary>Answered requests, texts and tokens, counted by the generator's middleware.</summary>
    public EmbeddingUsage Usage { get; } = usage;
    public string Redact(string text) => ApiKeyResolver.Redact(text, secret);
    public void Dispose()
    {
        Generator.Dispose();
        http.Dispose();
    }
}

/// <summary>
/// Network embedders behind Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/>: Ollama
/// (<c>/api/embed</c>, batched), OpenAI-compatible and Azure OpenAI (<c>embeddings</c>, batched), through the same
/// Polly pipeline, key lookup and single retry layer as the chat providers.
/// </summary>
public static class EmbeddingGeneratorFactory
{
    public static EmbeddingConnection Create(ChatProviderOptions o, HttpMessageHandler? transport = null)
    {
        var (http, counters, key) = ProviderHttp.Create(o, transport);
        var usage = new EmbeddingUsage();
        var generator = ModelServices.Get(o.Provider).Embeddings(o, http, key).AsBuilder()
            .Use(inner => new UsageCountingEmbeddingGenerator(inner, usage))
            .Build();
        return new EmbeddingConnection(generator, counters, usage, key, http);
    }
}
