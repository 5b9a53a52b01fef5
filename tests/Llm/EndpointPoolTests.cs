using CrossDomain.FakeServers;
using CrossDomain.Stages.Extract;

namespace CrossDomain.Tests.Llm;

/// <summary>Extraction spread over several endpoints of one model (<c>llm.endpoints</c>).</summary>
public sealed class EndpointPoolTests
{
    [Fact]
    public async Task Calls_spread_over_two_endpoints_and_move_off_one_that_dies_losing_and_repeating_nothing()
    {
        // The same items and answers once through one endpoint and once through two, the second dying after 6 calls.
        using var single = new ExtractFixture(itemsPerDomain: 4);
        var (alone, _) = await single.RunAsync(single.Params());

        using var pooled = new ExtractFixture(itemsPerDomain: 4);
        using var second = new FakeLlmServer(FakeLlmOracle.Answer);
        second.DieAfter(6);
        var p = pooled.Params();
        p.Llm.Endpoints = [new PoolEndpoint { Endpoint = second.BaseUri.ToString(), Weight = 1 }];
        var (outputs, report) = await pooled.RunAsync(p);

        Assert.Equal(0, report.FailedCalls);
        Assert.Equal(pooled.ExpectedCalls(p), report.Calls);
        Assert.Equal(2, report.Endpoints.Count);
        var (first, dead) = (report.Endpoints[0], report.Endpoints[1]);
        Assert.Equal(6, dead.Calls);                       // what it answered before it died
        Assert.True(dead.Failures >= 1 && dead.TakenOut >= 1, $"failures {dead.Failures}, taken out {dead.TakenOut}");
        Assert.Equal(report.Calls, first.Calls + dead.Calls); // every answer counted once, on the endpoint that gave it
        // Every call the live endpoint answered reached it once: nothing answered was sent again.
        Assert.Equal(first.Calls, pooled.Server.ChatRequests);
        foreach (var name in new[] { "item_semantics", "item_labels", "item_tags" })
            Assert.Equal(File.ReadAllBytes(alone[name]), File.ReadAllBytes(outputs[name]));
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("ollama")]
    public async Task The_health_check_asks_the_servers_model_list_and_fails_when_the_server_is_gone(string provider)
    {
        using var f = new ExtractFixture(itemsPerDomain: 1);
        var p = f.Params(provider);
        p.Llm.Endpoints = [new PoolEndpoint { Endpoint = p.Llm.Endpoint!, Weight = 1 }];
        using var connection = CrossDomain.Providers.Chat.ChatClientFactory.CreatePool(p.Llm.PoolOptions(), LlmParams.EndpointCooldown);
        var check = connection.Pool!.Members[0].HealthCheck!;
        Assert.True(await check(default));
        Assert.Equal(1, f.Server.HealthChecks);
        f.Server.Stop();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => check(default)); // the pool counts a throw as a failed check
    }

    [Fact]
    public void An_endpoint_that_is_not_a_url_or_a_weight_that_is_not_positive_is_named()
    {
        var p = new ExtractParams { Llm = new LlmParams { Provider = "ollama", Model = "m", Endpoint = "http://localhost:11434", Endpoints = [new PoolEndpoint { Endpoint = "localhost:1", Weight = 0 }] } };
        var errors = p.Llm.Validate().ToList();
        Assert.Contains(errors, e => e.Key == "endpoints[0].endpoint");
        Assert.Contains(errors, e => e.Key == "endpoints[0].weight");
    }
}

/// <summary>The pool's routing and cool-downs on in-memory endpoints and a fake clock.</summary>
public sealed class EndpointPoolRoutingTests
{
    private sealed class Endpoint(bool up) : Microsoft.Extensions.AI.IChatClient
    {
        public bool Up { get; set; } = up;
        /// <summary>When set, answers wait for it: calls stay in flight.</summary>
        public Task? Hold { get; set; }
        public int Calls;

        public async Task<Microsoft.Extensions.AI.ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
            Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Calls);
            if (Hold is not null) await Hold;
            return Up ? new Microsoft.Extensions.AI.ChatResponse(new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, "ok"))
                      : throw new HttpRequestException("connection refused");
        }

        public IAsyncEnumerable<Microsoft.Extensions.AI.ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
            Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    private static Task Call(CrossDomain.Providers.Chat.EndpointPoolChatClient pool) => pool.GetResponseAsync([new(Microsoft.Extensions.AI.ChatRole.User, "q")]);

    [Fact]
    public async Task A_failing_endpoint_is_out_for_a_cool_down_that_doubles_while_it_keeps_failing_and_resets_on_an_answer()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var (a, b) = (new Endpoint(up: false), new Endpoint(up: true));
        var pool = new CrossDomain.Providers.Chat.EndpointPoolChatClient(
            [new("a", a, 1), new("b", b, 1)], TimeSpan.FromSeconds(30), clock);

        await Call(pool);                         // a fails (out for 30 s), the call moves to b
        Assert.Equal((1, 1), (a.Calls, b.Calls));
        await Call(pool);
        Assert.Equal((1, 2), (a.Calls, b.Calls)); // a is out
        clock.Advance(TimeSpan.FromSeconds(31));
        await Call(pool);                         // a is tried again, fails: out for 60 s
        Assert.Equal((2, 3), (a.Calls, b.Calls));
        clock.Advance(TimeSpan.FromSeconds(31));
        await Call(pool);
        Assert.Equal((2, 4), (a.Calls, b.Calls)); // still out: its cool-down doubled
        clock.Advance(TimeSpan.FromSeconds(30));
        a.Up = true;
        await Call(pool);                         // back, and it answers
        Assert.Equal((3, 4), (a.Calls, b.Calls));
        Assert.Equal((1L, 2L, 2L), (pool.Members[0].Calls, pool.Members[0].Failures, pool.Members[0].TakenOut));
    }

    [Fact]
    public async Task A_returning_endpoint_gets_calls_again_only_after_its_health_check_passes()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var (a, b) = (new Endpoint(up: false), new Endpoint(up: true));
        var healthy = false;
        var checks = 0;
        var pool = new CrossDomain.Providers.Chat.EndpointPoolChatClient(
            [new("a", a, 1, _ => { checks++; return Task.FromResult(healthy); }), new("b", b, 1)], TimeSpan.FromSeconds(30), clock);

        await Call(pool);                          // a fails its call (out for 30 s), the call moves to b
        Assert.Equal((1, 1, 0), (a.Calls, b.Calls, checks));
        clock.Advance(TimeSpan.FromSeconds(31));
        await Call(pool);                          // a's cool-down ended: its check fails, so no call reaches it
        Assert.Equal((1, 2, 1), (a.Calls, b.Calls, checks));
        clock.Advance(TimeSpan.FromSeconds(31));
        await Call(pool);                          // out for 60 s after the failed check: not even checked
        Assert.Equal((1, 3, 1), (a.Calls, b.Calls, checks));
        clock.Advance(TimeSpan.FromSeconds(30));
        (healthy, a.Up) = (true, true);
        await Call(pool);                          // checked, passes, and takes the call
        await Call(pool);                          // verified: no further check while it answers (ties go to a, listed first)
        Assert.Equal((3, 3, 2), (a.Calls, b.Calls, checks));
        Assert.Equal(1, pool.Members[0].FailedHealthChecks);
    }

    [Fact]
    public async Task Calls_spread_by_weight_and_a_call_every_endpoint_fails_fails()
    {
        // Eight calls held in flight: each goes to the endpoint with the fewest in flight per unit of weight (ties to the
        // first listed), so b with weight 3 takes three of every four.
        var gate = new TaskCompletionSource();
        var (a, b) = (new Endpoint(up: true) { Hold = gate.Task }, new Endpoint(up: true) { Hold = gate.Task });
        var pool = new CrossDomain.Providers.Chat.EndpointPoolChatClient([new("a", a, 1), new("b", b, 3)], TimeSpan.FromSeconds(30));
        var calls = Enumerable.Range(0, 8).Select(_ => Call(pool)).ToList();
        Assert.Equal((2, 6), (a.Calls, b.Calls));
        gate.SetResult();
        await Task.WhenAll(calls);

        var (c, d) = (new Endpoint(up: false), new Endpoint(up: false));
        var dead = new CrossDomain.Providers.Chat.EndpointPoolChatClient([new("c", c, 1), new("d", d, 1)], TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<HttpRequestException>(() => Call(dead));
        Assert.Equal((1, 1), (c.Calls, d.Calls)); // each tried once, then the last failure is the call's
    }
}
