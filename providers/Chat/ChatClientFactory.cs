using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Azure.Identity;
using CrossDomain.Providers.Resilience;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;

namespace CrossDomain.Providers.Chat;

/// <summary>A ready chat client, the counters of its resilience pipeline, and the secret to redact from messages.</summary>
public sealed class ChatConnection(IChatClient client, ResilienceCounters counters, string? secret, HttpClient http) : IDisposable
{
    public IChatClient Client { get; } = client;
    public ResilienceCounters Counters { get; } = counters;
    public string Redact(string text) => ApiKeyResolver.Redact(text, secret);
    public void Dispose()
    {
        Client.Dispose();
        http.Dispose();
    }
}

/// <summary>
/// Builds the <see cref="IChatClient"/> for a provider. Every client talks through one <see cref="HttpClient"/>
/// whose handler is the Polly pipeline; the SDKs' own retry policies are switched off so retries never stack.
/// </summary>
public static class ChatClientFactory
{
    public static ChatConnection Create(ChatProviderOptions o, HttpMessageHandler? transport = null)
    {
        var counters = new ResilienceCounters();
        var inner = transport ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 256 };
        var http = new HttpClient(new ResilientHttpHandler(o.Resilience, counters, inner), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan, // the pipeline's per-attempt timeout governs
        };
        var key = o.UseEntraId ? null : ApiKeyResolver.Find(o.ApiKeyVariable, o.UserSecretsId);
        if (!string.IsNullOrEmpty(o.ApiKeyVariable) && key is null && o.Kind != ChatProviderKind.Ollama && !o.UseEntraId)
            throw new InvalidOperationException(
                $"no API key: set the environment variable {o.ApiKeyVariable}" +
                (o.UserSecretsId is null ? "" : $" or the user secret {o.ApiKeyVariable} (dotnet user-secrets set {o.ApiKeyVariable} <key> --id {o.UserSecretsId})"));
        IChatClient client;
        switch (o.Kind)
        {
            case ChatProviderKind.Ollama:
                http.BaseAddress = o.Endpoint;
                if (key is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", key); // Ollama behind an authenticating proxy
                client = new OllamaApiClient(http, o.Model);
                break;
            case ChatProviderKind.OpenAI:
                client = new OpenAIClient(new ApiKeyCredential(key ?? "none"), new OpenAIClientOptions
                {
                    Endpoint = o.Endpoint,
                    Transport = new HttpClientPipelineTransport(http),
                    RetryPolicy = new ClientRetryPolicy(0),
                    NetworkTimeout = TimeSpan.FromDays(1),
                }).GetChatClient(o.Model).AsIChatClient();
                break;
            case ChatProviderKind.AzureOpenAI:
                var options = new AzureOpenAIClientOptions
                {
                    Transport = new HttpClientPipelineTransport(http),
                    RetryPolicy = new ClientRetryPolicy(0),
                    NetworkTimeout = TimeSpan.FromDays(1),
                };
                var azure = o.UseEntraId
                    ? new AzureOpenAIClient(o.Endpoint, new DefaultAzureCredential(), options)
                    : new AzureOpenAIClient(o.Endpoint, new ApiKeyCredential(key ?? throw new InvalidOperationException(
                        "azure-openai needs api_key_env (a key) or auth: entra")), options);
                client = azure.GetChatClient(o.Model).AsIChatClient();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(o), o.Kind, "unknown provider");
        }
        return new ChatConnection(client, counters, key, http);
    }
}
