using System.Diagnostics;
using CrossDomain.FakeServers;
using CrossDomain.Providers.Caching;
using CrossDomain.Stages.Extract;
using CrossDomain.Tests.Cli;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Llm;

/// <summary>SIGKILL the real CLI in the middle of extraction; the rerun repeats no completed call.</summary>
public sealed class ExtractKillResumeTests
{
    [Fact]
    public async Task A_killed_extraction_loses_at_most_the_calls_in_flight()
    {
        using var dir = new TempDir();
        Repo.CopyPrompts(dir);
        var killAt = new TaskCompletionSource();
        using var server = new FakeLlmServer(r =>
        {
            if (r.Index == 120) killAt.TrySetResult();
            return FakeLlmOracle.Answer(r) with { DelayMs = 10 };
        });
        dir.File("pipeline.yaml", $$"""
            stages:
              synthesize:
                uses: synthesize
                params: { seed: 3, users: 60, items_per_domain: 30 }
              ingest:
                uses: ingest
                params:
                  max_bad_line_fraction: 0.05
                  domains:
                    food: { files: [ artifacts/synthesize/raw/reviews_Synthetic_Food.json.gz, artifacts/synthesize/raw/meta_Synthetic_Food.json.gz ] }
                    kitchen: { files: [ artifacts/synthesize/raw/reviews_Synthetic_Kitchen.json.gz, artifacts/synthesize/raw/meta_Synthetic_Kitchen.json.gz ] }
              extract:
                uses: extract
                deps: [ ingest.items ]
                params:
                  samples: 3
                  schema_queries: 3
                  tag_queries: 3
                  categories: 4
                  llm: { provider: ollama, model: fake, endpoint: "{{server.BaseUri}}", concurrency: 4 }
            """);
        var (process, output) = await CliProcess.StartAndWaitFor(dir.Path, "running extract", "run", "all");
        var reached = await Task.WhenAny(killAt.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.True(reached == killAt.Task, $"extraction never reached 120 calls:\n{output}");
        using (var kill = Process.Start("kill", ["-KILL", process.Id.ToString()])) await kill!.WaitForExitAsync();
        await process.WaitForExitAsync();
        var sentBeforeKill = server.ChatRequests;

        int cached;
        using (var cache = await CallCache.OpenAsync(Path.Combine(dir.Path, "artifacts", ".cache", "llm")))
            cached = cache.Count;
        Assert.InRange(cached, 120 - 4, sentBeforeKill); // at most the 4 calls in flight are lost

        var (code, stdout, stderr) = CliProcess.Run(dir.Path, "run", "all");
        Assert.True(code == 0, stdout + stderr);
        var report = System.Text.Json.JsonSerializer.Deserialize<ExtractReport>(
            File.ReadAllText(Path.Combine(dir.Path, "artifacts", "extract", "report.json")), CrossDomain.Stages.ReportJson.Options)!;
        Assert.Equal(cached, report.CacheHits);
        Assert.Equal(3 + 2 * 3 + report.Items * 5, report.Calls + report.CacheHits);
        Assert.Equal(server.ChatRequests - sentBeforeKill, report.Calls);
        Assert.Equal(report.Items, report.ItemsOk);
    }
}
