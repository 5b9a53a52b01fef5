using CrossDomain.Providers.Chat;
using Microsoft.Extensions.AI;

namespace CrossDomain.Providers.Services;

/// <summary>Any OpenAI-compatible endpoint (OpenAI, vLLM, LM Studio, llama.cpp server) through the OpenAI SDK.</summary>
public sealed class OpenAIService : IModelService
{
    public string Name => "openai";

    public IChatClient Chat(ChatProviderOptions options, HttpClient http, string? key) =>
        ProviderHttp.OpenAI(options, http, key).GetChatClient(options.Model).AsIChatClient();

    public IEmbeddingGenerator<string, Embedding<float>> Embeddings(ChatProviderOptions options, HttpClient http, string? key) =>
        ProviderHttp.OpenAI(options, http, key).GetEmbeddingClient(options.Model).AsIEmbeddingGenerator();
}
