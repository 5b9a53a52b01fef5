using CrossDomain.Providers.Resilience;
using Microsoft.Extensions.AI;

namespace CrossDomain.Providers.Chat;

/// <summary>What a chat connection spent: answered calls, their tokens as the provider reported them, and failed calls.</summary>
public sealed class ChatUsage
{
    private long _calls, _tokensIn, _tokensOut, _failed;

    /// <summary>Calls that returned an answer.</summary>
    public long Calls => Interlocked.Read(ref _calls);
    public long TokensIn => Interlocked.Read(ref _tokensIn);
    public long TokensOut => Interlocked.Read(ref _tokensOut);
    /// <summary>Calls that failed after every retry (not those the caller cancelled, nor answers cut off at the size cap).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    internal void Answered(long tokensIn, long tokensOut)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _tokensIn, tokensIn);
        Interlocked.Add(ref _tokensOut, tokensOut);
    }

    internal void Failure() => Interlocked.Increment(ref _failed);
}

/// <summary>
/// Chat middleware (<c>AsBuilder().Use(...)</c>) that counts each call's outcome and token usage into a
/// <see cref="ChatUsage"/>, so that no caller counts by hand. An answer cut off at the response-size cap is not a
/// failed call: the caller records it as an invalid answer.
/// </summary>
public sealed class UsageCountingChatClient(IChatClient inner, ChatUsage usage) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatResponse response;
        try { response = await base.GetResponseAsync(messages, options, cancellationToken); }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested) && !IsCapped(e))
        {
            usage.Failure();
            throw;
        }
        usage.Answered(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
        return response;
    }

    /// <summary>Whether the call ended because its answer passed the size cap (the answer's problem, not the endpoint's).</summary>
    internal static bool IsCapped(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is ResponseTooLargeException) return true;
        return false;
    }
}
