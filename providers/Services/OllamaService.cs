using CrossDomain.Providers.Chat;
using Microsoft.Extensions.AI;
using OllamaSharp;

namespace CrossDomain.Providers.Services;

/// <summary>Ollama (<c>/api/chat</c>, <c>/api/embed</c>) through OllamaSharp, which is an <see cref="IChatClient"/> itself.</summary>
public sealed class OllamaService : IModelService
{
    public string Name => "ollama";

    // A local server needs no key; one found is sent as a bearer token (Ollama behind an authenticating proxy).
    public bool RequiresKey => false;

    public string? HealthPath => "api/tags";

    public void Prepare(HttpClient http, ChatProviderOptions options, string? key)
    {
        http.BaseAddress = options.Endpoint;
        if (key is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", key);
    }

    public IChatClient Chat(ChatProviderOptions options, HttpClient http, string? key) => new OllamaApiClient(http, options.Model);

    public IEmbeddingGenerator<string, Embedding<float>> Embeddings(ChatProviderOptions options, HttpClient http, string? key) =>
        new OllamaApiClient(http, options.Model);
}
