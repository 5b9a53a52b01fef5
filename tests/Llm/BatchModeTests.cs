using CrossDomain.Engine.Stages;
using CrossDomain.FakeServers;
using CrossDomain.Stages.Extract;

namespace CrossDomain.Tests.Llm;

/// <summary>
/// <c>llm.mode: batch</c> against OpenAI's files and batches endpoints on 127.0.0.1: the same outputs as streaming,
/// nothing submitted twice across lost responses and restarts, failed and expired requests sent again.
/// </summary>
public sealed class BatchModeTests
{
    private const string KeyVariable = "CROSSDOMAIN_TEST_BATCH_KEY";

    /// <summary>OpenAI params, or Azure OpenAI's (the fake server's root as resource endpoint, a key from the environment).</summary>
    private static ExtractParams Params(ExtractFixture f, string provider)
    {
        var p = f.Params(provider);
        if (provider == "azure_openai")
        {
            Environment.SetEnvironmentVariable(KeyVariable, "test-key");
            p.Llm.ApiKeyEnv = KeyVariable;
        }
        return p;
    }

    private static ExtractParams Batch(ExtractFixture f, double waitMinutes = 1, string provider = "openai")
    {
        var p = Params(f, provider);
        p.Llm.Mode = LlmMode.Batch;
        p.Llm.BatchWaitMinutes = waitMinutes;
        p.Llm.BatchPollSeconds = 0.01;
        return p;
    }

    /// <summary>The task a request is for: its structured-output schema's name.</summary>
    private static string? TaskOf(FakeChatRequest r) => r.Format?["json_schema"]?["name"]?.GetValue<string>();

    private static async Task<Dictionary<string, string>> StreamedAsync(string provider = "openai")
    {
        using var f = new ExtractFixture(itemsPerDomain: 3);
        var (outputs, _) = await f.RunAsync(Params(f, provider));
        return outputs.ToDictionary(o => o.Key, o => File.Exists(o.Value) ? Convert.ToBase64String(File.ReadAllBytes(o.Value)) : "");
    }

    private static void SameOutputs(Dictionary<string, string> streamed, Dictionary<string, string> outputs)
    {
        foreach (var name in new[] { "schema", "item_semantics", "item_labels", "tag_vocabulary", "item_tags" })
            Assert.True(streamed[name] == Convert.ToBase64String(File.ReadAllBytes(outputs[name])), $"{name} differs from the streamed run's");
    }

    /// <summary>Runs the stage until it finishes, counting the runs that returned waiting.</summary>
    private static async Task<(Dictionary<string, string> Outputs, ExtractReport Report, int Waits)> UntilDoneAsync(ExtractFixture f, ExtractParams p,
        Action<int>? beforeRun = null)
    {
        for (int run = 0; run < 12; run++)
        {
            beforeRun?.Invoke(run);
            try
            {
                var (outputs, report) = await f.RunAsync(p);
                return (outputs, report, run);
            }
            catch (StageWaitingException) { }
            catch (System.ClientModel.ClientResultException) { }   // a lost response: the process "died" there
            catch (HttpRequestException) { }
            catch (System.Text.Json.JsonException) { }                // (the SDK reads an aborted response as empty JSON)
        }
        throw new Xunit.Sdk.XunitException("the batch extraction did not finish in 12 runs");
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("azure_openai")]
    public async Task A_batch_run_gives_the_streamed_outputs_with_every_call_submitted_once_and_none_streamed(string provider)
    {
        var streamed = await StreamedAsync(provider);
        using var f = new ExtractFixture(itemsPerDomain: 3);
        var p = Batch(f, provider: provider);
        var (outputs, report, _) = await UntilDoneAsync(f, p);
        SameOutputs(streamed, outputs);
        Assert.Equal(0, f.Server.ChatRequests);
        Assert.Equal(f.ExpectedCalls(p), f.Server.Batches.Submitted.Count);
        Assert.All(f.Server.Batches.Submitted, s => Assert.Equal(1, s.Value));
        // Schema and tag lists in the first job, the items (which need them) in the second.
        Assert.Equal(2, f.Server.Batches.JobsCreated);
        Assert.Equal(f.ExpectedCalls(p), report.BatchAnswers);
        Assert.Equal(0, report.Calls);
    }

    [Fact]
    public async Task Runs_return_while_jobs_are_in_flight_and_lost_upload_and_creation_answers_submit_nothing_twice()
    {
        var streamed = await StreamedAsync();
        using var f = new ExtractFixture(itemsPerDomain: 3);
        f.Server.Batches.PollsToFinish = 2;
        var p = Batch(f, waitMinutes: 0);
        var stage = new ExtractStage();
        string? waitingSeen = null;
        var (outputs, _, waits) = await UntilDoneAsync(f, p, run =>
        {
            // Run 0 dies after its upload was stored, run 1 after its job was created; later runs find both again.
            if (run == 0) f.Server.Batches.LoseNextUploadResponse = true;
            if (run == 1) f.Server.Batches.LoseNextCreateResponse = true;
            if (run == 3) waitingSeen = stage.Waiting(p, f.Artifacts);
        });
        SameOutputs(streamed, outputs);
        Assert.True(waits >= 4, $"finished after {waits} earlier runs");
        Assert.StartsWith("waiting for batch jobs:", waitingSeen);
        Assert.Equal(f.Server.Batches.JobsCreated, f.Server.Batches.Uploads);
        Assert.Equal(2, f.Server.Batches.JobsCreated);
        Assert.All(f.Server.Batches.Submitted, s => Assert.Equal(1, s.Value));
        Assert.Null(stage.Waiting(p, f.Artifacts));
    }

    [Fact]
    public async Task Failed_and_expired_requests_go_into_follow_up_jobs_and_one_that_keeps_failing_is_a_failed_call()
    {
        var streamed = await StreamedAsync();
        using var f = new ExtractFixture(itemsPerDomain: 3);
        var failedOnce = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        // Every description fails in its first job; the first job expires after answering two requests.
        f.Server.Batches.RequestFails = r => TaskOf(r) == "item_description" && failedOnce.TryAdd(r.Prompt, true);
        f.Server.Batches.ExpireNextAfter = 2;
        var p = Batch(f);
        var (outputs, report, _) = await UntilDoneAsync(f, p);
        SameOutputs(streamed, outputs);
        Assert.Contains("expired", f.Server.Batches.JobStatuses);
        Assert.True(f.Server.Batches.Submitted.Values.Max() == 2, "a failed or expired request is sent once more");

        // A request that fails in every job: after batch_max_tries jobs the stage fails, naming the failed calls.
        using var g = new ExtractFixture(itemsPerDomain: 2);
        g.Server.Batches.RequestFails = r => TaskOf(r) == "item_description" && r.Prompt.Contains("kitchen item 1", StringComparison.Ordinal);
        var q = Batch(g);
        q.Llm.BatchMaxTries = 2;
        var error = await Assert.ThrowsAsync<StageException>(() => g.RunAsync(q));
        Assert.Contains("failed after every retry", error.Message);
        Assert.All(g.Server.Batches.Submitted.Where(s => s.Value > 1), s => Assert.Equal(2, s.Value));
    }

    [Fact]
    public async Task Cancelled_jobs_are_sent_again_by_the_next_run_and_the_report_prices_batch_tokens_at_the_batch_factor()
    {
        var streamed = await StreamedAsync();
        using var f = new ExtractFixture(itemsPerDomain: 3);
        f.Server.Batches.PollsToFinish = 3;
        var p = Batch(f, waitMinutes: 0);
        p.Llm.Price = new LlmPrice { InputPerMillion = 1_000_000, OutputPerMillion = 1_000_000, BatchFactor = 0.5 };
        await Assert.ThrowsAsync<StageWaitingException>(() => f.RunAsync(p));
        Assert.Equal(1, await ExtractStage.CancelBatchesAsync(p, f.Artifacts, default));
        Assert.Equal(0, await ExtractStage.CancelBatchesAsync(p, f.Artifacts, default)); // already cancelling
        Assert.Equal(1, f.Server.Batches.Cancels);
        var (outputs, report, _) = await UntilDoneAsync(f, p);
        SameOutputs(streamed, outputs);
        Assert.Contains("cancelled", f.Server.Batches.JobStatuses);
        Assert.Contains("cancelled", ExtractStage.BatchJobsText(p, f.Artifacts));
        // The fake reports 10 prompt and 5 completion tokens per answer; this run collected the item answers.
        Assert.Equal(report.BatchAnswers * 15 * 0.5, report.Cost);
    }
}
