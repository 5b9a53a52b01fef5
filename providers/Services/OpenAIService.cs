using CrossDomain.Providers.Chat;
using Microsoft.Extensions.AI;

namespace CrossDomain.Providers.Services;

/// <summary>Any OpenAI-compatible endpoint (OpenAI, vLLM, LM Studio, llama.cpp server) through the OpenAI SDK.</summary>
public sealed class OpenAIService : IModelService
{
    public string Name => "openai";

    // Served by OpenAI and by the OpenAI-compatible servers (vLLM, TGI, llama.cpp, LM Studio), relative to .../v1/.
    public string? HealthPath => "models";

    public IChatClient Chat(ChatProviderOptions options, HttpClient http, string? key) =>
        ProviderHttp.OpenAI(options, http, key).GetChatClient(options.Model).AsIChatClient();

    public IEmbeddingGenerator<string, Embedding<float>> Embeddings(ChatProviderOptions options, HttpClient http, string? key) =>
        ProviderHttp.OpenAI(options, http, key).GetEmbeddingClient(options.Model).AsIEmbeddingGenerator();
}
