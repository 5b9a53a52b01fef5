using CrossDomain.Providers.Chat;
using CrossDomain.Providers.Resilience;
using Microsoft.Extensions.AI;

namespace CrossDomain.Tests.Llm;

/// <summary>The usage middleware counts answers and their tokens, and failures, but not cancellations or capped answers.</summary>
public class UsageCountingChatClientTests
{
    private sealed class ScriptedChatClient(Func<CancellationToken, ChatResponse> reply) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken ct = default) =>
            Task.FromResult(reply(ct));
        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken ct = default) =>
            throw new NotSupportedException();
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    private static IChatClient Client(ChatUsage usage, Func<CancellationToken, ChatResponse> reply) =>
        new ScriptedChatClient(reply).AsBuilder().Use(inner => new UsageCountingChatClient(inner, usage)).Build();

    [Fact]
    public async Task Answers_failures_cancellations_and_capped_answers_are_told_apart()
    {
        var usage = new ChatUsage();
        ChatMessage[] hi = [new(ChatRole.User, "hi")];
        var answer = new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = new UsageDetails { InputTokenCount = 7, OutputTokenCount = 3 } };
        await Client(usage, _ => answer).GetResponseAsync(hi);
        await Client(usage, _ => answer).GetResponseAsync(hi);
        await Assert.ThrowsAsync<HttpRequestException>(() => Client(usage, _ => throw new HttpRequestException("down")).GetResponseAsync(hi));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Client(usage, _ => throw new InvalidOperationException("wrapped", new ResponseTooLargeException(1024))).GetResponseAsync(hi));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAsync<OperationCanceledException>(() => Client(usage, ct => throw new OperationCanceledException(ct)).GetResponseAsync(hi, null, cancelled.Token));
        // A timeout is an OperationCanceledException the caller did not ask for: a failed call.
        await Assert.ThrowsAsync<TaskCanceledException>(() => Client(usage, _ => throw new TaskCanceledException("timeout")).GetResponseAsync(hi));

        Assert.Equal((2L, 14L, 6L, 2L), (usage.Calls, usage.TokensIn, usage.TokensOut, usage.Failed));
    }
}
