using CrossDomain.Providers.Chat;
using Microsoft.Extensions.AI;

namespace CrossDomain.Providers.Services;

/// <summary>Azure OpenAI deployments through Azure.AI.OpenAI, with a key or Entra ID (<c>auth: entra</c>).</summary>
public sealed class AzureOpenAIService : IModelService
{
    public string Name => "azure_openai";

    public IChatClient Chat(ChatProviderOptions options, HttpClient http, string? key) =>
        ProviderHttp.Azure(options, http, key).GetChatClient(options.Model).AsIChatClient();

    public IEmbeddingGenerator<string, Embedding<float>> Embeddings(ChatProviderOptions options, HttpClient http, string? key) =>
        ProviderHttp.Azure(options, http, key).GetEmbeddingClient(options.Model).AsIEmbeddingGenerator();
}
