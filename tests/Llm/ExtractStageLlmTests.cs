using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Stages;
using CrossDomain.FakeServers;
using CrossDomain.Providers.Caching;
using CrossDomain.Stages.Extract;

namespace CrossDomain.Tests.Llm;

/// <summary>The extract stage against a fake Ollama/OpenAI server: call counts, voting, cache, regeneration, failures.</summary>
public sealed class ExtractStageLlmTests
{
    [Theory]
    [InlineData("ollama")]
    [InlineData("openai")]
    public async Task Full_run_makes_every_call_once_and_a_rerun_makes_none(string provider)
    {
        using var f = new ExtractFixture();
        var p = f.Params(provider);
        var (outputs, report) = await f.RunAsync(p);
        Assert.Equal(f.ExpectedCalls(p), report.Calls);
        Assert.Equal(f.ExpectedCalls(p), f.Server.ChatRequests);
        Assert.Equal(0, report.CacheHits);
        Assert.True(report.IsLlm);
        Assert.Equal(f.ItemCount, report.ItemsOk);
        Assert.Equal(report.Calls * 10, report.TokensIn); // the fake server reports 10 prompt tokens per call
        Assert.Equal(report.Calls * 5, report.TokensOut);
        Assert.All(f.Server.Received, r => Assert.Equal("fake-model", r.Model));
        // Structured output: the T_rec request carries a JSON schema listing the labels.
        var trec = f.Server.Received.First(r => FakeLlmOracle.Task(r) == "item_semantics");
        Assert.Contains("Flavor 0", trec.Format!.ToJsonString());

        // Induced schema: the oracle proposes the same 4 categories x 4 labels every time.
        var schema = await ParquetArtifact.ReadAsync<SchemaRow>(outputs["schema"]);
        Assert.Equal(16, schema.Count);
        Assert.All(schema, r => Assert.Equal(3, r.CategoryVotes));
        Assert.Equal(FakeLlmOracle.Categories, schema.Select(r => r.Category).Distinct());

        // Per item: the majority label per category (3 of 3 samples); the odd sample's extra label is voted out.
        var labels = await ParquetArtifact.ReadAsync<ItemLabelRow>(outputs["item_labels"]);
        Assert.Equal(f.ItemCount * 4, labels.Count);
        var first = labels.Where(l => l.Item == "f0").OrderBy(l => l.CategoryIdx).ToList();
        for (int c = 0; c < 4; c++)
        {
            var cat = FakeLlmOracle.Categories[c];
            var expected = $"{cat} {Math.Abs(FakeLlmServer.StableHash("f0|" + cat)) % 4}";
            Assert.Equal(expected, first[c].Label);
            Assert.Equal(3, first[c].Votes);
        }
        var semantics = await ParquetArtifact.ReadAsync<ItemSemanticsRow>(outputs["item_semantics"]);
        var f0 = semantics.Single(s => s.Item == "f0");
        Assert.Equal(0, f0.SummarySample); // samples 0 and 2 agree exactly with the vote; the earliest wins
        Assert.Equal("Summary of f0 (sample 42).", f0.Summary);
        Assert.Equal("Enriched description of f0.", f0.Description);

        // Tags: 6 domain tags + "shared tag" per domain, unioned once; each item keeps top-5 plus any >= 70, weights sum to 1.
        var vocab = await ParquetArtifact.ReadAsync<TagRow>(outputs["tag_vocabulary"]);
        Assert.Equal(13, vocab.Count);
        Assert.Equal("food,kitchen", vocab.Single(t => t.Tag == "shared tag").Domains);
        var tags = await ParquetArtifact.ReadAsync<ItemTagRow>(outputs["item_tags"]);
        foreach (var g in tags.GroupBy(t => t.Item))
        {
            Assert.InRange(g.Count(), 5, 10);
            Assert.Equal(1.0, g.Sum(t => t.Weight), 5);
            Assert.All(g.Skip(5), t => Assert.True(t.Score >= 70));
        }

        // A rerun makes no call: items and tag lists come from the result memo, the induction answers from the cache.
        var (outputs2, again) = await f.RunAsync(p, "out2");
        Assert.Equal(0, again.Calls);
        Assert.Equal(f.ItemCount, again.ItemsFromMemo);
        Assert.Equal(2, again.VocabulariesFromMemo);
        Assert.Equal(p.SchemaQueries!.Value, again.CacheHits);
        Assert.Equal(f.ExpectedCalls(p), f.Server.ChatRequests);
        await AssertSameTablesAsync(outputs, outputs2);

        // Without the memo every answer is re-validated from the call cache, to the same tables.
        File.Delete(Path.Combine(f.Artifacts, ".cache/llm", ResultMemo.ItemsFile));
        File.Delete(Path.Combine(f.Artifacts, ".cache/llm", ResultMemo.VocabulariesFile));
        var (outputs3, third) = await f.RunAsync(p, "out3");
        Assert.Equal(0, third.Calls);
        Assert.Equal(0, third.ItemsFromMemo);
        Assert.Equal(f.ExpectedCalls(p), third.CacheHits);
        Assert.Equal(report.Calls * 10, third.CachedTokensIn);
        await AssertSameTablesAsync(outputs, outputs3);

        // A selection param is part of the memo key: top-3 re-selects from the cached scores without a call.
        p.TagTopR = 3;
        p.MaxTagsPerItem = 3;
        var (outputs4, fourth) = await f.RunAsync(p, "out4");
        Assert.Equal(0, fourth.Calls);
        Assert.Equal(0, fourth.ItemsFromMemo);
        Assert.All((await ParquetArtifact.ReadAsync<ItemTagRow>(outputs4["item_tags"])).GroupBy(t => t.Item), g => Assert.Equal(3, g.Count()));
    }

    private static async Task AssertSameTablesAsync(Dictionary<string, string> a, Dictionary<string, string> b)
    {
        static string Rows<T>(IList<T> rows) => System.Text.Json.JsonSerializer.Serialize(rows);
        Assert.Equal(Rows(await ParquetArtifact.ReadAsync<SchemaRow>(a["schema"])), Rows(await ParquetArtifact.ReadAsync<SchemaRow>(b["schema"])));
        Assert.Equal(Rows(await ParquetArtifact.ReadAsync<ItemSemanticsRow>(a["item_semantics"])), Rows(await ParquetArtifact.ReadAsync<ItemSemanticsRow>(b["item_semantics"])));
        Assert.Equal(Rows(await ParquetArtifact.ReadAsync<ItemLabelRow>(a["item_labels"])), Rows(await ParquetArtifact.ReadAsync<ItemLabelRow>(b["item_labels"])));
        Assert.Equal(Rows(await ParquetArtifact.ReadAsync<TagRow>(a["tag_vocabulary"])), Rows(await ParquetArtifact.ReadAsync<TagRow>(b["tag_vocabulary"])));
        Assert.Equal(Rows(await ParquetArtifact.ReadAsync<ItemTagRow>(a["item_tags"])), Rows(await ParquetArtifact.ReadAsync<ItemTagRow>(b["item_tags"])));
    }

    [Fact]
    public async Task Editing_one_template_repeats_exactly_its_calls()
    {
        using var f = new ExtractFixture();
        var p = f.Params();
        await f.RunAsync(p);
        var before = f.Server.ChatRequests;
        File.AppendAllText(Path.Combine(f.Dir.Path, "prompts", "item_description.hbs"), "\nKeep it under 80 words.\n");
        var (_, report) = await f.RunAsync(p, "out2");
        Assert.Equal(f.ItemCount, report.Calls); // one description per item, nothing else
        Assert.Equal(0, report.ItemsFromMemo); // the template's version is part of every item's memo key
        Assert.Equal(2, report.VocabulariesFromMemo); // the tag lists do not use that template
        Assert.Equal(f.ExpectedCalls(p) - f.ItemCount - 2 * p.TagQueries!.Value, report.CacheHits);
        Assert.All(f.Server.Received.Skip(before), r => Assert.Equal("item_description", FakeLlmOracle.Task(r)));
    }

    [Fact]
    public async Task Unknown_labels_are_regenerated_with_the_reason_and_counted()
    {
        int rejected = 0;
        using var f = new ExtractFixture(script: r =>
        {
            // The first answer to every T_rec conversation invents a label; the regeneration is valid.
            if (FakeLlmOracle.Task(r) == "item_semantics" && r.Messages.Count == 1)
            {
                Interlocked.Increment(ref rejected);
                var good = FakeLlmOracle.Answer(r).Content;
                return FakeReply.Text(good.Replace("\"Flavor ", "\"Invented "));
            }
            return FakeLlmOracle.Answer(r);
        });
        var p = f.Params();
        var (outputs, report) = await f.RunAsync(p);
        var trecCalls = f.ItemCount * p.Samples!.Value;
        Assert.Equal(trecCalls, rejected);
        Assert.Equal(trecCalls, report.Regenerations);
        Assert.Equal(f.ExpectedCalls(p) + trecCalls, report.Calls);
        Assert.Equal(f.ItemCount, report.ItemsOk);
        var retry = f.Server.Received.First(r => r.Messages.Count == 3);
        Assert.Contains("is not a label of category \"Flavor\"", retry.LastUser);
        Assert.DoesNotContain(await ParquetArtifact.ReadAsync<ItemLabelRow>(outputs["item_labels"]), l => l.Label.StartsWith("Invented"));
    }

    [Fact]
    public async Task Answers_that_never_conform_are_recorded_not_invented()
    {
        using var f = new ExtractFixture(script: r => FakeLlmOracle.Task(r) == "item_semantics" && FakeLlmOracle.ItemId(r.Prompt) == "k1"
            ? FakeReply.Text("{\"features\": {\"Flavor\": [\"Flavor 0\"]") // truncated JSON, every time
            : FakeLlmOracle.Answer(r));
        var p = f.Params();
        p.MaxInvalidFraction = 0.5;
        var (outputs, report) = await f.RunAsync(p);
        Assert.Equal(1, report.ItemsInvalid);
        Assert.Equal(p.Samples!.Value, report.InvalidAnswers);
        Assert.Equal(p.Samples!.Value * p.MaxRegenerations, report.Regenerations);
        var k1 = (await ParquetArtifact.ReadAsync<ItemSemanticsRow>(outputs["item_semantics"])).Single(s => s.Item == "k1");
        Assert.Equal("invalid", k1.Status);
        Assert.Null(k1.Summary);
        Assert.Contains("malformed", k1.Error);
        Assert.DoesNotContain(await ParquetArtifact.ReadAsync<ItemLabelRow>(outputs["item_labels"]), l => l.Item == "k1");
        Assert.Contains(report.Failures, x => x.Item == "k1" && x.Task == "item_semantics");

        p.MaxInvalidFraction = 0.1; // 1 of 6 items is above 10 %: the stage fails and says why
        var e = await Assert.ThrowsAsync<StageException>(() => f.RunAsync(p, "out2"));
        Assert.Contains("no conforming answer", e.Message);
    }

    [Fact]
    public async Task Throttling_server_errors_and_slow_answers_are_retried()
    {
        int n = 0;
        using var f = new ExtractFixture(itemsPerDomain: 1, script: r =>
        {
            var i = Interlocked.Increment(ref n);
            return i switch
            {
                1 => FakeReply.Error(429, retryAfter: "1"),
                2 => FakeReply.Error(500),
                3 => FakeLlmOracle.Answer(r) with { DelayMs = 3000 }, // beyond the 1 s attempt timeout
                _ => FakeLlmOracle.Answer(r),
            };
        });
        var p = f.Params();
        p.Llm.Concurrency = 1;
        p.Llm.TimeoutSeconds = 1;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (_, report) = await f.RunAsync(p);
        Assert.Equal(3, report.Retries);
        Assert.Equal(1, report.Throttled);
        Assert.Equal(1, report.ServerErrors);
        Assert.Equal(1, report.Timeouts);
        Assert.Equal(f.ExpectedCalls(p), report.Calls);
        Assert.Equal(f.ExpectedCalls(p) + 3, report.Attempts);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), "Retry-After: 1 and the 1 s timeout were waited out");
    }

    [Fact]
    public async Task A_server_that_dies_fails_the_stage_and_the_rerun_resumes_from_the_cache()
    {
        using var f = new ExtractFixture(itemsPerDomain: 4);
        var p = f.Params();
        p.Llm.MaxRetries = 1;
        f.Server.DieAfter(20);
        var e = await Assert.ThrowsAsync<StageException>(() => f.RunAsync(p));
        Assert.Contains("rerun", e.Message, StringComparison.OrdinalIgnoreCase);
        int answered;
        using (var cache = await CallCache.OpenAsync(Path.Combine(f.Artifacts, ".cache/llm")))
            answered = cache.Count;
        Assert.InRange(answered, 15, 20);
        Assert.True(File.Exists(Path.Combine(f.Artifacts, ".cache/llm", CallCache.TableName)), "compacted into the inspectable table");

        f.Restart(); // a new server (new port): the endpoint is not part of the cache key
        p.Llm.Endpoint = f.Server.BaseUri.ToString();
        var (_, report) = await f.RunAsync(p, "out2");
        Assert.Equal(answered, report.CacheHits);
        Assert.Equal(f.ExpectedCalls(p) - answered, report.Calls);
        Assert.Equal(f.ItemCount, report.ItemsOk);
    }
}
