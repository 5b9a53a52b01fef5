using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Azure.Identity;
using CrossDomain.Providers.Caching;
using CrossDomain.Providers.Resilience;
using Microsoft.Extensions.AI;
using CrossDomain.Providers.Services;
using OpenAI;

namespace CrossDomain.Providers.Chat;

/// <summary>A ready chat client, the counters of its resilience pipeline, and the secret to redact from messages.</summary>
public sealed class ChatConnection(IChatClient client, ResilienceCounters counters, ChatUsage usage, string? secret, IReadOnlyList<HttpClient> http,
    EndpointPoolChatClient? pool = null) : IDisposable
{
    public ChatConnection(IChatClient client, ResilienceCounters counters, ChatUsage usage, string? secret, HttpClient http)
        : this(client, counters, usage, secret, [http]) { }

    public IChatClient Client { get; } = client;
    public ResilienceCounters Counters { get; } = counters;
    /// <summary>Answered and failed calls and their tokens, counted by the client's middleware.</summary>
    public ChatUsage Usage { get; } = usage;
    /// <summary>The endpoints and what each did, when the connection spreads calls over several; null for one.</summary>
    public EndpointPoolChatClient? Pool { get; } = pool;
    /// <summary>Endpoints the calls go to (1 without a pool).</summary>
    public int Endpoints => Pool?.Members.Count ?? 1;
    public string Redact(string text) => ApiKeyResolver.Redact(text, secret);
    public void Dispose()
    {
        Client.Dispose();
        foreach (var h in http) h.Dispose();
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
            .Use(WithoutCallIdentity)
            .Use(inner => new UsageCountingChatClient(inner, usage))
            .Build();
        return new ChatConnection(client, counters, usage, key, http);
    }

    /// <summary>
    /// One client over several endpoints of the same model (<see cref="EndpointPoolChatClient"/>): each endpoint with its
    /// own HTTP client and resilience pipeline (its own concurrency and rate limits), their counters summed, usage
    /// counted once for the pool.
    /// </summary>
    public static ChatConnection CreatePool(IReadOnlyList<(ChatProviderOptions Options, double Weight)> endpoints, TimeSpan cooldown,
        Func<Uri, HttpMessageHandler?>? transport = null)
    {
        if (endpoints.Count == 0) throw new ArgumentException("an endpoint pool needs at least one endpoint");
        var counters = new ResilienceCounters();
        var usage = new ChatUsage();
        var http = new List<HttpClient>();
        var members = new List<PoolMember>();
        string? key = null;
        foreach (var (o, weight) in endpoints)
        {
            var (client, k) = ProviderHttp.Create(o, transport?.Invoke(o.Endpoint), counters);
            http.Add(client);
            key ??= k;
            var service = ModelServices.Get(o.Provider);
            members.Add(new PoolMember(o.Endpoint.ToString(), service.Chat(o, client, k), weight, HealthCheck(service, o, k, transport?.Invoke(o.Endpoint), http)));
        }
        var pool = new EndpointPoolChatClient(members, cooldown);
        var counted = pool.AsBuilder().Use(WithoutCallIdentity).Use(inner => new UsageCountingChatClient(inner, usage)).Build();
        return new ChatConnection(counted, counters, usage, key, http, pool);
    }

    /// <summary>The cache's <see cref="ChatCall"/> stops at the connection: no provider SDK sees it or sends it.</summary>
    private static Task WithoutCallIdentity(IEnumerable<ChatMessage> messages, ChatOptions? options,
        Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, Task> next, CancellationToken ct) =>
        next(messages, ChatCall.Without(options), ct);

    /// <summary>
    /// The service's health GET on its own HTTP client: no retries (a retried check would only delay the answer) and a
    /// 10 s timeout. Null when the service has no health path.
    /// </summary>
    private static Func<CancellationToken, Task<bool>>? HealthCheck(IModelService service, ChatProviderOptions o, string? key,
        HttpMessageHandler? transport, List<HttpClient> owned)
    {
        if (service.HealthPath is not { } path) return null;
        var http = new HttpClient(transport ?? new SocketsHttpHandler(), disposeHandler: transport is null) { Timeout = TimeSpan.FromSeconds(10) };
        if (key is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        owned.Add(http);
        var url = new Uri(new Uri(o.Endpoint.ToString().TrimEnd('/') + "/"), path);
        return async ct =>
        {
            using var response = await http.GetAsync(url, ct);
            return response.IsSuccessStatusCode;
        };
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
        var counters = new ResilienceCounters();
        var (http, key) = Create(o, transport, counters);
        return (http, counters, key);
    }

    /// <summary>As above, counting into <paramref name="counters"/> (shared by the endpoints of a pool).</summary>
    public static (HttpClient Http, string? Key) Create(ChatProviderOptions o, HttpMessageHandler? transport, ResilienceCounters counters)
    {
        var service = ModelServices.Get(o.Provider);
        var key = o.UseEntraId ? null : ApiKeyResolver.Find(o.ApiKeyVariable, o.UserSecretsId);
        if (!string.IsNullOrEmpty(o.ApiKeyVariable) && key is null && service.RequiresKey && !o.UseEntraId)
            throw new InvalidOperationException(
                $"no API key: set the environment variable {o.ApiKeyVariable}" +
                (o.UserSecretsId is null ? "" : $" or the user secret {o.ApiKeyVariable} (dotnet user-secrets set {o.ApiKeyVariable} <key> --id {o.UserSecretsId})"));
        var inner = transport ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 256 };
        var http = new HttpClient(new ResilientHttpHandler(o.Resilience, counters, inner), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan, // the pipeline's per-attempt timeout governs
        };
        service.Prepare(http, o, key);
        return (http, key);
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
