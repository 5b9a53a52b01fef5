using System.Diagnostics;
using CrossDomain.FakeServers;
using CrossDomain.Providers.Caching;
using CrossDomain.Stages.Extract;
using CrossDomain.Tests.Cli;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Llm;

/// <summary>
/// SIGKILL the real CLI in the middle of extraction; every answer it received survives, and the rerun repeats no
/// completed call. The server holds every request from the 120th on unanswered until the kill, so which calls are
/// in flight at the kill is fixed (not a race between the kill and the workers still writing the cache).
/// </summary>
public sealed class ExtractKillResumeTests
{
    private const int HoldFrom = 120;

    [Fact]
    public async Task A_killed_extraction_loses_only_the_calls_in_flight()
    {
        using var dir = new TempDir();
        Repo.CopyPrompts(dir);
        var held = new TaskCompletionSource();
        using var server = new FakeLlmServer(r =>
        {
            if (r.Index >= HoldFrom)
            {
                held.TrySetResult();
                return FakeLlmOracle.Answer(r) with { DelayMs = 600_000 }; // answered only after the test has ended
            }
            return FakeLlmOracle.Answer(r) with { DelayMs = 10 };
        });
        string Pipeline(Uri endpoint) =>
            SyntheticExtractPipeline.Yaml(samples: 3, llm: $"{{ provider: ollama, model: fake, endpoint: \"{endpoint}\", concurrency: 4 }}");
        dir.File("pipeline.yaml", Pipeline(server.BaseUri));
        var (process, output) = await CliProcess.StartAndWaitFor(dir.Path, "running extract", "run", "all");
        var reached = await Task.WhenAny(held.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.True(reached == held.Task, $"extraction never reached {HoldFrom} calls:\n{output}");
        // Calls 1 to 119 are answered after 10 ms each; wait until the process has committed all of them to the cache.
        var database = Path.Combine(dir.Path, "artifacts", ".cache", "llm", CallCache.DatabaseName);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (CommittedRows(database) < HoldFrom - 1 && DateTime.UtcNow < deadline) await Task.Delay(20);
        using (var kill = Process.Start("kill", ["-KILL", process.Id.ToString()])) await kill!.WaitForExitAsync();
        await process.WaitForExitAsync();
        server.Stop();

        int cached;
        using (var cache = await CallCache.OpenAsync(Path.Combine(dir.Path, "artifacts", ".cache", "llm")))
            cached = cache.Count;
        Assert.Equal(HoldFrom - 1, cached); // every answered call, none of the held ones

        // The rerun talks to a fresh server (the cache keys name provider and model, not the endpoint): a request the
        // killed process had sent but the old server had not yet read can then never be counted as the rerun's.
        using var resumed = new FakeLlmServer(FakeLlmOracle.Answer);
        dir.File("pipeline.yaml", Pipeline(resumed.BaseUri));
        var (code, stdout, stderr) = CliProcess.Run(dir.Path, "run", "all");
        Assert.True(code == 0, stdout + stderr);
        var report = System.Text.Json.JsonSerializer.Deserialize<ExtractReport>(
            File.ReadAllText(Path.Combine(dir.Path, "artifacts", "extract", "report.json")), CrossDomain.Stages.ReportJson.Options)!;
        Assert.Equal(cached, report.CacheHits);
        Assert.Equal(3 + 2 * 3 + report.Items * 5, report.Calls + report.CacheHits);
        Assert.Equal(resumed.ChatRequests, report.Calls);
        Assert.Equal(report.Items, report.ItemsOk);
    }

    /// <summary>Rows committed to the cache's database, read beside the writing process.</summary>
    private static long CommittedRows(string database)
    {
        if (!File.Exists(database)) return 0;
        try
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM calls";
            return (long)command.ExecuteScalar()!;
        }
        catch (Microsoft.Data.Sqlite.SqliteException) { return 0; } // not created yet, or busy
    }
}
