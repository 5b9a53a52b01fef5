using System.Diagnostics;
using System.Text.Json;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Cli;

/// <summary>The real executable on a tiny pipeline of real stages in a temp folder.</summary>
public class CliEndToEndTests
{
    public const string Yaml = """
        artifacts: out
        vars:
          raw: out/synth/raw
        stages:
          synth:
            uses: synthesize
            params: { seed: 1, users: 300, items_per_domain: 120 }
          ingest:
            uses: ingest
            params:
              max_bad_line_fraction: 0.02
              domains:
                food: { files: ["${raw}/reviews_Synthetic_Food.json.gz", "${raw}/meta_Synthetic_Food.json.gz"] }
                kitchen: { files: ["${raw}/reviews_Synthetic_Kitchen.json.gz", "${raw}/meta_Synthetic_Kitchen.json.gz"] }
          seq:
            uses: sequences
            deps: [ingest.interactions]
            params: { source: food, target: kitchen, min_item_interactions: 3 }
        """;

    [Fact]
    public void Run_status_inspect_graph_list_and_clean_work_end_to_end()
    {
        using var dir = new TempDir();
        dir.File("pipeline.yaml", Yaml);

        var run = CliProcess.Run(dir.Path, "run", "all");
        Assert.True(run.Code == 0, run.Out + run.Err);
        Assert.Contains("seq: ran", run.Out);
        Assert.True(File.Exists(Path.Combine(dir.Path, "out", "pipeline.lock")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "out/seq/sequences.parquet")));

        Assert.Equal(0, CliProcess.Run(dir.Path, "status", "--check").Code);
        var again = CliProcess.Run(dir.Path, "run", "all");
        Assert.Equal(0, again.Code);
        Assert.Contains("seq: up to date", again.Out);
        Assert.DoesNotContain(": ran", again.Out);
        Assert.Contains("summary: 0 ran, 3 up to date (cached), 0 failed", again.Out);

        var stale = CliProcess.Run(dir.Path, "--set", "stages.seq.params.max_len=5", "status", "--check", "--json");
        Assert.Equal(1, stale.Code);
        var seq = JsonDocument.Parse(stale.Out).RootElement.EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "seq");
        Assert.Equal("stale", seq.GetProperty("state").GetString());
        Assert.Contains("param max_len changed: 100 -> 5", seq.GetProperty("reasons")[0].GetString());

        var dry = CliProcess.Run(dir.Path, "--set", "stages.seq.params.max_len=5", "run", "--dry-run");
        Assert.Equal(0, dry.Code);
        Assert.Contains("seq: would run (param max_len changed: 100 -> 5)", dry.Out);
        Assert.Contains("ingest: up to date", dry.Out);

        var inspect = CliProcess.Run(dir.Path, "inspect", "seq.sequences", "--json", "--limit", "2");
        Assert.Equal(0, inspect.Code);
        var doc = JsonDocument.Parse(inspect.Out).RootElement;
        Assert.Equal("seq", doc.GetProperty("metadata").GetProperty("crossdomain.stage").GetString());
        Assert.Equal("true", doc.GetProperty("metadata").GetProperty("crossdomain.synthetic").GetString());
        Assert.Equal(2, doc.GetProperty("first_rows").GetArrayLength());
        Assert.Contains(doc.GetProperty("columns").EnumerateArray(), c => c.GetProperty("name").GetString() == "target_items" && c.GetProperty("type").GetString() == "list<int32>");

        var csv = CliProcess.Run(dir.Path, "inspect", "out/seq/item_index.parquet", "--csv", "--columns", "item_idx,domain", "--where", "item_idx=1");
        Assert.Equal(0, csv.Code);
        Assert.Equal(["item_idx,domain", "1,food"], csv.Out.Trim().Split('\n'));
        var table = CliProcess.Run(dir.Path, "inspect", "ingest.interactions", "--where", "domain=kitchen", "--limit", "3");
        Assert.Equal(0, table.Code);
        Assert.Contains("parts: food.parquet, kitchen.parquet", table.Out);
        Assert.Contains("crossdomain.kind", table.Out);
        Assert.DoesNotContain("crossdomain.fingerprint", table.Out); // run-specific facts would change the bytes of identical data
        Assert.Contains("first 3 matching rows", table.Out);
        Assert.DoesNotContain("│ food", table.Out);

        var graph = CliProcess.Run(dir.Path, "graph");
        Assert.Contains("synth -->|raw| ingest", graph.Out);
        Assert.Contains("ingest -->|interactions| seq", graph.Out);
        Assert.Contains("out/seq/stats.md", CliProcess.Run(dir.Path, "list").Out);
        Assert.Contains("min_item_interactions", CliProcess.Run(dir.Path, "list", "--kinds").Out);

        // clean touches only what the lock recorded: a file of the user's is not its business.
        dir.File("out/stray/old.parquet", "x");
        var clean = CliProcess.Run(dir.Path, "clean");
        Assert.Contains("nothing to clean", clean.Out);
        Assert.True(File.Exists(Path.Combine(dir.Path, "out/stray/old.parquet")));
        // A named stage: shown, not removed without --yes (no terminal to ask), then moved to the trash and restored.
        var unconfirmed = CliProcess.Run(dir.Path, "clean", "seq");
        Assert.Equal(1, unconfirmed.Code);
        Assert.Contains("will move out/seq/sequences.parquet (seq.sequences", unconfirmed.Out);
        Assert.Contains("pass --yes", unconfirmed.Err);
        Assert.True(File.Exists(Path.Combine(dir.Path, "out/seq/sequences.parquet")));
        var cleaned = CliProcess.Run(dir.Path, "clean", "seq", "--yes");
        Assert.True(cleaned.Code == 0, cleaned.Out + cleaned.Err);
        Assert.Contains("'clean --restore' puts them back", cleaned.Out);
        Assert.False(File.Exists(Path.Combine(dir.Path, "out/seq/sequences.parquet")));
        Assert.Equal(1, CliProcess.Run(dir.Path, "status", "--check").Code);
        var restored = CliProcess.Run(dir.Path, "clean", "--restore");
        Assert.True(restored.Code == 0, restored.Out + restored.Err);
        Assert.Contains("restored out/seq/sequences.parquet", restored.Out);
        Assert.Equal(0, CliProcess.Run(dir.Path, "status", "--check").Code);
    }

    [Fact]
    public void Exit_codes_are_2_for_config_errors_and_1_for_a_failed_stage()
    {
        using var dir = new TempDir();
        dir.File("pipeline.yaml", Yaml.Replace("min_item_interactions: 3", "min_item_interaction: 3"));
        var bad = CliProcess.Run(dir.Path, "run", "all");
        Assert.Equal(2, bad.Code);
        Assert.Contains("pipeline.yaml:18:", bad.Err);
        Assert.Contains("did you mean 'min_item_interactions'", bad.Err);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")));

        Assert.Equal(2, CliProcess.Run(dir.Path, "run", "--nonsense-option").Code);
        Assert.Equal(2, CliProcess.Run(dir.Path, "--config", "missing.yaml", "status").Code);

        dir.File("pipeline.yaml", Yaml.Replace("min_item_interactions: 3", "min_item_interactions: 100000"));
        var failed = CliProcess.Run(dir.Path, "run", "all");
        Assert.Equal(1, failed.Code);
        Assert.Contains("seq: FAILED: no user survives the filters", failed.Err);
        Assert.Equal(1, CliProcess.Run(dir.Path, "status", "--check").Code);
    }

    [Theory]
    [InlineData("KILL")]
    [InlineData("INT")]
    public async Task Killing_the_process_mid_stage_keeps_previous_artifacts_and_lock_and_the_next_run_redoes_only_that_stage(string signal)
    {
        using var dir = new TempDir();
        dir.File("pipeline.yaml", Yaml);
        Assert.Equal(0, CliProcess.Run(dir.Path, "run", "all").Code);
        var lockPath = Path.Combine(dir.Path, "out", "pipeline.lock");
        var lockBefore = File.ReadAllBytes(lockPath);
        var rawFile = Path.Combine(dir.Path, "out/synth/raw/reviews_Synthetic_Food.json.gz");
        var rawBefore = File.ReadAllBytes(rawFile);

        // A big synthesize takes many seconds: kill it while it writes.
        string[] big = ["--set", "stages.synth.params.users=2000000"];
        var (process, output) = await CliProcess.StartAndWaitFor(dir.Path, "running synth", [.. big, "run", "all"]);
        await Task.Delay(1500);
        // Under a background job (nohup, `cmd &`) SIGINT is ignored and the children inherit that, .NET included: a
        // user's Ctrl-C never arrives that way, and SIGTERM takes the same cancellation path in System.CommandLine.
        var sent = signal == "INT" && SignalIgnored(2) ? "TERM" : signal;
        using (var kill = Process.Start("kill", [$"-{sent}", process.Id.ToString()])) await kill!.WaitForExitAsync();
        await process.WaitForExitAsync();
        Assert.NotEqual(0, process.ExitCode);
        if (signal == "INT") Assert.Contains("interrupted", output.ToString());

        Assert.Equal(lockBefore, File.ReadAllBytes(lockPath));
        Assert.Equal(rawBefore, File.ReadAllBytes(rawFile));
        Assert.Equal(0, CliProcess.Run(dir.Path, "status", "--check").Code); // the previous state is intact and fresh

        var dry = CliProcess.Run(dir.Path, [.. big, "run", "--dry-run"]);
        Assert.Contains("synth: would run (param users changed: 300 -> 2000000)", dry.Out);
        var rerun = CliProcess.Run(dir.Path, "run", "all");
        Assert.Equal(0, rerun.Code);
        Assert.DoesNotContain(": ran", rerun.Out); // nothing else was disturbed
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out/.tmp")) && Directory.EnumerateFileSystemEntries(Path.Combine(dir.Path, "out/.tmp")).Any());
    }

    /// <summary>Whether this process ignores the signal (bit signal − 1 of SigIgn in /proc/self/status).</summary>
    private static bool SignalIgnored(int signal) =>
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is { } line
        && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (signal - 1))) != 0;
}
