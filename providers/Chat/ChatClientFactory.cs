using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Azure.Identity;
using CrossDomain.Providers.Resilience;
using Microsoft.Extensions.AI;
using CrossDomain.Providers.Services;
using OpenAI;

namespace CrossDomain.Providers.Chat;

/// <summary>A ready chat client, the counters of its resilience pipeline, and the secret to redact from messages.</summary>
public sealed class ChatConnection(IChatClient client, ResilienceCounters counters, ChatUsage usage, string? secret, HttpClient http) : IDisposable
{
    public IChatClient Client { get; } = client;
    public ResilienceCounters Counters { get; } = counters;
    /// <summary>Answered and failed calls and their tokens, counted by the client's middleware.</summary>
    public ChatUsage Usage { get; } = usage;
    public string Redact(string text) => ApiKeyResolver.Redact(text, secret);
    public void Dispose()
    {
        Client.Dispose();
        http.Dispose();
    }
}

/// <summary>
/// Builds the <see cref="IChatClient"/> for a provider as a Microsoft.Extensions.AI pipeline: the service's client
/// with usage counting as middleware. Every client talks through one <see cref="HttpClient"/> whose handler is the
/// Polly pipeline; the SDKs' own retry policies are switched off so retries never stack.
/// </summary>
public static class ChatClientFactory
{
    public static ChatConnection Create(ChatProviderOptions o, HttpMessageHandler? transport = null)
    {
        var (http, counters, key) = ProviderHttp.Create(o, transport);
        var usage = new ChatUsage();
        var client = ModelServices.Get(o.Provider).Chat(o, http, key).AsBuilder()
            .Use(inner => new UsageCountingChatClient(inner, usage))
            .Build();
        return new ChatConnection(client, counters, usage, key, http);
    }
}

/// <summary>
/// What chat and embedding clients share: one <see cref="HttpClient"/> through the Polly pipeline, the API key,
/// and the SDK clients with their own retries switched off.
/// </summary>
public static class ProviderHttp
{
    public static (HttpClient Http, ResilienceCounters Counters, string? Key) Create(ChatProviderOptions o, HttpMessageHandler? transport)
    {
        var service = ModelServices.Get(o.Provider);
        var key = o.UseEntraId ? null : ApiKeyResolver.Find(o.ApiKeyVariable, o.UserSecretsId);
        if (!string.IsNullOrEmpty(o.ApiKeyVariable) && key is null && service.RequiresKey && !o.UseEntraId)
            throw new InvalidOperationException(
                $"no API key: set the environment variable {o.ApiKeyVariable}" +
                (o.UserSecretsId is null ? "" : $" or the user secret {o.ApiKeyVariable} (dotnet user-secrets set {o.ApiKeyVariable} <key> --id {o.UserSecretsId})"));
        var counters = new ResilienceCounters();
        var inner = transport ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 256 };
        var http = new HttpClient(new ResilientHttpHandler(o.Resilience, counters, inner), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan, // the pipeline's per-attempt timeout governs
        };
        service.Prepare(http, o, key);
        return (http, counters, key);
    }

    public static OpenAIClient OpenAI(ChatProviderOptions o, HttpClient http, string? key) =>
        new(new ApiKeyCredential(key ?? "none"), new OpenAIClientOptions
        {
            Endpoint = o.Endpoint,
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = TimeSpan.FromDays(1),
        });

    public static AzureOpenAIClient Azure(ChatProviderOptions o, HttpClient http, string? key)
    {
        var options = new AzureOpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = TimeSpan.FromDays(1),
        };
        return o.UseEntraId
            ? new AzureOpenAIClient(o.Endpoint, new DefaultAzureCredential(), options)
            : new AzureOpenAIClient(o.Endpoint, new ApiKeyCredential(key ?? throw new InvalidOperationException(
                "azure_openai needs api_key_env (a key) or auth: entra")), options);
    }
}
