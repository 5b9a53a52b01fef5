using CrossDomain.Engine.Stages;
using CrossDomain.FakeServers;
using CrossDomain.Stages.Extract;

namespace CrossDomain.Tests.Llm;

/// <summary>Refused credentials stop the stage at once; an open circuit names its first failure; answers are capped in size.</summary>
public class ProviderFailureTests
{
    [Theory]
    [InlineData("ollama", 401)]
    [InlineData("openai", 401)]
    [InlineData("openai", 403)]
    public async Task Refused_credentials_stop_the_stage_at_once_and_say_to_check_the_api_key(string provider, int status)
    {
        using var f = new ExtractFixture(itemsPerDomain: 20, script: _ => FakeReply.Error(status));
        var p = f.Params(provider);
        var e = await Assert.ThrowsAsync<StageException>(() => f.RunAsync(p));
        Assert.Contains("check the API key", e.Message);
        Assert.Contains($"{status} ", e.Message);
        // No retries: at most the calls that were already in flight when the first refusal came back.
        Assert.InRange(f.Server.ChatRequests, 1, p.Llm.Concurrency + p.SchemaQueries!.Value);
    }

    [Fact]
    public async Task When_the_circuit_opens_the_message_names_the_first_failure()
    {
        using var f = new ExtractFixture(itemsPerDomain: 30, script: _ => FakeReply.Error(500));
        var p = f.Params();
        p.SchemaFile = new("prompts/food-kitchen-schema.yaml");
        p.Llm.MaxRetries = 1;
        var e = await Assert.ThrowsAsync<StageException>(() => f.RunAsync(p));
        Assert.Contains("circuit opened", e.Message);
        var first = e.Message[(e.Message.IndexOf("first failure: ", StringComparison.Ordinal) + "first failure: ".Length)..];
        Assert.Contains("500", first);
        Assert.DoesNotContain("First failure: .", e.Message);
    }

    [Fact]
    public async Task An_answer_over_the_size_cap_is_not_read_whole_and_counts_as_an_invalid_answer()
    {
        var huge = new string('x', 2_000_000);
        using var f = new ExtractFixture(itemsPerDomain: 2, script: r => FakeLlmOracle.Task(r) == "item_description" ? FakeReply.Text(huge) : FakeLlmOracle.Answer(r));
        var p = f.Params();
        p.Llm.MaxResponseBytes = 64 * 1024;
        p.MaxInvalidFraction = 1;
        var (_, report) = await f.RunAsync(p);
        Assert.Equal(f.ItemCount, report.DescriptionsMissing);
        Assert.True(report.InvalidAnswers >= f.ItemCount);
        Assert.Contains(report.Failures, x => x.Task == "item_description" && x.Error.Contains("longer than 65,536 bytes"));
        Assert.Equal(f.ItemCount, report.ItemsOk); // labels and tags were answered normally
    }
}
