using System.Net;
using CrossDomain.Providers.Chat;
using CrossDomain.Providers.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace CrossDomain.Tests.Llm;

/// <summary>
/// The resilience pipeline's waits run on the clock it is given, so the tests advance a fake clock instead of
/// sleeping: Retry-After is honoured up to its cap, an attempt that outlives its timeout is retried.
/// </summary>
public class ResilienceClockTests
{
    private sealed class ScriptedHandler(Func<int, CancellationToken, Task<HttpResponseMessage>> reply) : HttpMessageHandler
    {
        private int _calls;
        public int Calls => Volatile.Read(ref _calls);
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) => reply(Interlocked.Increment(ref _calls), ct);
    }

    private static HttpResponseMessage Reply(HttpStatusCode status, string? retryAfter = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(status == HttpStatusCode.OK ? "ok" : "slow down") };
        if (retryAfter is not null) response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        return response;
    }

    /// <summary>Advances the fake clock once the pipeline waits on it (it schedules its timer just after the attempt returns).</summary>
    private static async Task AdvanceAfterSettling(FakeTimeProvider clock, TimeSpan by)
    {
        await Task.Delay(200);
        clock.Advance(by);
    }

    [Fact]
    public async Task Retry_after_is_honoured_up_to_its_cap_on_the_given_clock()
    {
        var clock = new FakeTimeProvider();
        var inner = new ScriptedHandler((n, _) => Task.FromResult(n == 1 ? Reply(HttpStatusCode.TooManyRequests, "3600") : Reply(HttpStatusCode.OK)));
        var options = new ResilienceOptions { TimeProvider = clock, MaxRetryAfter = TimeSpan.FromSeconds(120), MaxDelay = TimeSpan.FromSeconds(1) };
        var counters = new ResilienceCounters();
        using var http = new HttpClient(new ResilientHttpHandler(options, counters, inner));

        var call = http.GetAsync("http://127.0.0.1/chat");
        await AdvanceAfterSettling(clock, TimeSpan.FromSeconds(119)); // the server asked for an hour; the cap is 120 s
        Assert.False(call.IsCompleted);
        Assert.Equal(1, inner.Calls);
        await AdvanceAfterSettling(clock, TimeSpan.FromSeconds(1));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((2, 1L, 1L), (inner.Calls, counters.Retries, counters.Throttled));
    }

    [Fact]
    public async Task An_attempt_past_its_timeout_is_cancelled_counted_and_retried()
    {
        var clock = new FakeTimeProvider();
        var inner = new ScriptedHandler(async (n, ct) =>
        {
            if (n == 1) await Task.Delay(Timeout.Infinite, ct); // a server that never answers
            return Reply(HttpStatusCode.OK);
        });
        var options = new ResilienceOptions { TimeProvider = clock, AttemptTimeout = TimeSpan.FromSeconds(30), BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) };
        var counters = new ResilienceCounters();
        using var http = new HttpClient(new ResilientHttpHandler(options, counters, inner));

        var call = http.GetAsync("http://127.0.0.1/chat");
        await AdvanceAfterSettling(clock, TimeSpan.FromSeconds(30));
        await AdvanceAfterSettling(clock, TimeSpan.FromSeconds(1)); // the backoff before the retry
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((2, 1L, 1L), (inner.Calls, counters.Retries, counters.Timeouts));
    }
}
