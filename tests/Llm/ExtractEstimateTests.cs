using CrossDomain.Engine.Stages;
using CrossDomain.Providers.Tokens;
using CrossDomain.Stages.Extract;

namespace CrossDomain.Tests.Llm;

/// <summary><c>run extract --estimate</c>: the calls a run would make, counted without sending any.</summary>
public sealed class ExtractEstimateTests
{
    private static StageContext Context(ExtractFixture f) => new()
    {
        StageName = "extract", KindName = "extract", Fingerprint = "test", ProjectRoot = f.Dir.Path, ArtifactsRoot = f.Artifacts,
        OutputPaths = new Dictionary<string, string>(), InputPaths = new Dictionary<string, string> { ["items"] = f.ItemsDir },
    };

    [Fact]
    public async Task The_estimate_sends_nothing_and_counts_exactly_the_calls_the_run_then_makes_before_and_after_a_change()
    {
        using var f = new ExtractFixture(itemsPerDomain: 3);
        var p = f.Params("openai");
        p.Llm.Price = new LlmPrice { InputPerMillion = 1_000_000, OutputPerMillion = 0 }; // one unit per prompt token

        var fresh = await ExtractStage.EstimateCallsAsync(Context(f), p, default);
        Assert.Equal(0, f.Server.ChatRequests);
        Assert.Equal(f.ExpectedCalls(p), fresh.Calls);
        Assert.Equal(p.SchemaQueries!.Value, fresh.Tasks.Single(t => t.Task == "schema").Calls);
        Assert.Equal(f.ItemCount * p.Samples!.Value, fresh.Tasks.Single(t => t.Task == "item_semantics").Calls);
        Assert.Contains(fresh.Assumptions, a => a.Contains("schema is not known"));
        Assert.Contains(fresh.Lines(), l => l.Contains($"{fresh.PromptTokens:N0}.00 USD streamed"));
        var (_, run) = await f.RunAsync(p);
        Assert.Equal(fresh.Calls, run.Calls);

        // One more sample per item: only those calls are still to make, and the estimate now measures answer lengths.
        var more = f.Params("openai");
        more.Samples = p.Samples!.Value + 1;
        var after = await ExtractStage.EstimateCallsAsync(Context(f), more, default);
        Assert.Equal(f.ItemCount, after.Calls);
        Assert.DoesNotContain(after.Assumptions, a => a.Contains("not known"));
        // Schema and item answers from the call cache; the tag vocabularies from the result memo, without their calls.
        Assert.Equal(p.SchemaQueries!.Value + f.ItemCount * (p.Samples!.Value + 2), after.CachedAnswers);
        var requestsBefore = f.Server.ChatRequests;
        var (_, second) = await f.RunAsync(more, "out2");
        Assert.Equal(after.Calls, second.Calls);
        Assert.Equal(requestsBefore + after.Calls, f.Server.ChatRequests);

        var none = await ExtractStage.EstimateCallsAsync(Context(f), more, default);
        Assert.Equal(0, none.Calls);
    }

    [Fact]
    public void Prompt_tokens_come_from_the_models_tokenizer_where_known_and_else_from_a_stated_approximation()
    {
        var gpt = PromptTokenCounter.For("openai", "gpt-4o");
        Assert.True(gpt.IsExact);
        Assert.Equal(2, gpt.Count("hello world"));
        // Chat format: 3 tokens per message plus 3 priming the reply.
        Assert.Equal(2 + 3 + 3, gpt.Count([new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "hello world")]));

        var llama = PromptTokenCounter.For("ollama", "llama3.1:8b");
        Assert.False(llama.IsExact);
        Assert.Contains("approximation", llama.Description);
        Assert.Equal(3, llama.Count("twelve chars"));
    }
}
