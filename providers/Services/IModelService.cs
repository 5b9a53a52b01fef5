using CrossDomain.Providers.Chat;
using Microsoft.Extensions.AI;

namespace CrossDomain.Providers.Services;

/// <summary>
/// A network model service behind Microsoft.Extensions.AI: its chat client and its embedding generator, both over the
/// one <see cref="HttpClient"/> whose handler is the Polly pipeline (<see cref="ProviderHttp"/>). A new service is
/// one class and one line in <see cref="ModelServices"/>.
/// </summary>
public interface IModelService
{
    /// <summary>The name pipelines write (<c>llm.provider</c>, <c>embedder.kind</c>) and per-call cache keys hold.</summary>
    string Name { get; }

    /// <summary>Whether an API key variable that is configured must resolve (a keyless local server: false).</summary>
    bool RequiresKey => true;

    /// <summary>
    /// A cheap GET, relative to the endpoint, that answers 200 when the server serves (an endpoint pool's health
    /// check); null when the service has none.
    /// </summary>
    string? HealthPath => null;

    /// <summary>Sets up the shared client where the SDK does not (base address, an authorisation header).</summary>
    void Prepare(HttpClient http, ChatProviderOptions options, string? key) { }

    IChatClient Chat(ChatProviderOptions options, HttpClient http, string? key);

    IEmbeddingGenerator<string, Embedding<float>> Embeddings(ChatProviderOptions options, HttpClient http, string? key);
}
