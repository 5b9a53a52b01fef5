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

    [Fact]
    public void An_endpoint_that_is_not_a_url_or_a_weight_that_is_not_positive_is_named()
    {
        var p = new ExtractParams { Llm = new LlmParams { Provider = "ollama", Model = "m", Endpoint = "http://localhost:11434", Endpoints = [new PoolEndpoint { Endpoint = "localhost:1", Weight = 0 }] } };
        var errors = p.Llm.Validate().ToList();
        Assert.Contains(errors, e => e.Key == "endpoints[0].endpoint");
        Assert.Contains(errors, e => e.Key == "endpoints[0].weight");
    }
}
