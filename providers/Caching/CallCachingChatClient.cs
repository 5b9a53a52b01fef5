using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace CrossDomain.Providers.Caching;

/// <summary>
/// The per-call cache as chat middleware: Microsoft.Extensions.AI's <see cref="DistributedCachingChatClient"/> over an
/// <see cref="IDistributedCache"/> (a <see cref="CallCache"/>: SQLite in WAL mode), with three changes.
/// <list type="bullet">
/// <item>The key is the <see cref="ChatCall"/> the options carry, not a hash of the rendered messages: a hit never
/// enumerates the messages, so a caller that renders them lazily renders nothing on a hit. Calls without a
/// <see cref="ChatCall"/> pass through uncached.</item>
/// <item>Values are <see cref="CachedCall"/> rows (the answer's text, its tokens, latency and the call's columns), the
/// form the batch journal, the estimate and <c>crossdomain inspect</c> read, instead of a serialised
/// <see cref="ChatResponse"/>.</item>
/// <item>A response marked <see cref="Unanswered"/> (a call set aside by a planner below) is returned but not stored.</item>
/// </list>
/// A response served from the cache carries <see cref="FromCache"/> in its additional properties.
/// </summary>
public sealed class CallCachingChatClient : DistributedCachingChatClient
{
    private readonly IDistributedCache _storage;

    public CallCachingChatClient(IChatClient inner, IDistributedCache storage) : base(new AnswerStamp(inner), storage) => _storage = storage;

    /// <summary>Set (true) on a response read from the cache.</summary>
    public const string FromCache = "crossdomain.from_cache";
    /// <summary>Set (true) by a client below on a stand-in response that is not an answer: never cached.</summary>
    public const string Unanswered = "crossdomain.unanswered";
    private const string Latency = "crossdomain.latency_ms";
    private const string Call = "crossdomain.call";

    public static bool IsFromCache(ChatResponse response) => response.AdditionalProperties?.ContainsKey(FromCache) == true;
    public static bool IsUnanswered(ChatResponse response) => response.AdditionalProperties?.ContainsKey(Unanswered) == true;

    protected override bool EnableCaching(IEnumerable<ChatMessage> messages, ChatOptions? options) =>
        ChatCall.Of(options) is not null && base.EnableCaching(messages, options);

    /// <summary>The caller's key: the messages are not read (see the class summary).</summary>
    protected override string GetCacheKey(IEnumerable<ChatMessage> messages, ChatOptions? options, params ReadOnlySpan<object?> additionalValues) =>
        ChatCall.Of(options)!.Key; // EnableCaching guarantees one; streaming and not share the answer

    protected override async Task<ChatResponse?> ReadCacheAsync(string key, CancellationToken cancellationToken) =>
        await CallCache.ReadAsync(_storage, key, cancellationToken) is { } call ? Response(call) : null;

    private static ChatResponse Response(CachedCall call) => new(new ChatMessage(ChatRole.Assistant, call.Response))
    {
        Usage = new UsageDetails { InputTokenCount = call.TokensIn, OutputTokenCount = call.TokensOut },
        AdditionalProperties = new() { [FromCache] = true },
    };

    protected override async Task WriteCacheAsync(string key, ChatResponse value, CancellationToken cancellationToken)
    {
        if (IsUnanswered(value)) return;
        var p = value.AdditionalProperties!; // stamped by AnswerStamp for every cached call
        var call = (ChatCall)p[Call]!;
        p.Remove(Call);
        var row = new CachedCall
        {
            Key = key, Task = call.Task, Subject = call.Subject, Sample = call.Sample, Attempt = call.Attempt, Provider = call.Provider,
            Model = call.Model, Template = call.Template, Response = value.Text ?? "", TokensIn = value.Usage?.InputTokenCount ?? 0,
            TokensOut = value.Usage?.OutputTokenCount ?? 0, LatencyMs = (double)p[Latency]!, CreatedUtc = DateTime.UtcNow,
        };
        p.Remove(Latency);
        // Committed before it returns: a SIGKILL after this loses nothing answered.
        await CallCache.WriteAsync(_storage, row, cancellationToken);
    }

    // Streaming calls are coalesced into one answer (CoalesceStreamingUpdates); were that switched off, they would still
    // share the non-streaming row instead of storing a list of updates the other readers could not use.
    protected override async Task<IReadOnlyList<ChatResponseUpdate>?> ReadCacheStreamingAsync(string key, CancellationToken cancellationToken) =>
        await ReadCacheAsync(key, cancellationToken) is { } response ? response.ToChatResponseUpdates() : null;

    protected override Task WriteCacheStreamingAsync(string key, IReadOnlyList<ChatResponseUpdate> value, CancellationToken cancellationToken) =>
        WriteCacheAsync(key, value.ToChatResponse(), cancellationToken);

    /// <summary>
    /// Just above the inner client: stamps each answer with its <see cref="ChatCall"/> and latency, which
    /// <see cref="WriteCacheAsync"/> stores with it (it is given only the key and the response).
    /// </summary>
    private sealed class AnswerStamp(IChatClient inner) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var started = Stopwatch.GetTimestamp();
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            if (ChatCall.Of(options) is { } call)
            {
                response.AdditionalProperties ??= [];
                response.AdditionalProperties[Call] = call;
                response.AdditionalProperties[Latency] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            return response;
        }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var started = Stopwatch.GetTimestamp();
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken)) yield return update;
            if (ChatCall.Of(options) is { } call)
                yield return new ChatResponseUpdate
                {
                    AdditionalProperties = new() { [Call] = call, [Latency] = Stopwatch.GetElapsedTime(started).TotalMilliseconds },
                };
        }
    }
}
