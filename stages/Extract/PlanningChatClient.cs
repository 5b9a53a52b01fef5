using CrossDomain.Providers.Caching;
using Microsoft.Extensions.AI;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// The chat client of an estimate or a batch run, under the per-call cache in place of a provider: a call that reaches
/// it (a cache miss) is set aside in the <see cref="CallPlan"/>, rendered as it would be sent, and answered with an
/// <see cref="CallCachingChatClient.Unanswered"/> stand-in that the cache does not store. A batch job's answer comes
/// back through the cache.
/// </summary>
public sealed class PlanningChatClient(CallPlan plan) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = ChatCall.Of(options) ?? throw new InvalidOperationException("a planned call needs its ChatCall (the cache key and columns)");
        if (plan.GivenUp(call.Key) is { } error)
            throw new LlmCallException($"{call.Task} for {call.Subject}: {error}", new InvalidOperationException(error));
        plan.Add(new PlannedCall(call.Key, call.Task, call.Subject, call.Sample, call.Attempt, call.Template, [.. messages], ChatCall.Without(options)!));
        return Task.FromResult(new ChatResponse { AdditionalProperties = new() { [CallCachingChatClient.Unanswered] = true } });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) => throw new NotSupportedException("calls are planned whole, not streamed");

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
