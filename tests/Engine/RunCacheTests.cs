using CrossDomain.Engine.Lock;
using CrossDomain.Engine.Progress;
using CrossDomain.Engine.Run;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Engine;

/// <summary>
/// The run-cache: a param switched back restores the earlier outputs (and their downstream) instead of running; a
/// restore is checked against the recorded hashes; --force, --no-run-cache and written-in-place outputs run.
/// </summary>
public class RunCacheTests
{
    private const string Yaml = """
        stages:
          a:
            uses: concat
            params: { inputs: [data/in.txt], suffix: "!" }
          b:
            uses: append
            deps: [a]
            params: { suffix: "?" }
        """;

    private static async Task<(TempDir Dir, PipelineHarness H)> Fresh()
    {
        var dir = new TempDir();
        dir.File("data/in.txt", "hello ");
        var h = new PipelineHarness(dir, Yaml);
        Assert.All((await h.RunAsync()).Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));
        return (dir, h);
    }

    private static StageOutcome Outcome(RunResult r, string stage) => r.Stages.Single(s => s.Stage == stage).Outcome;

    private static string Output(TempDir dir, string stage) => File.ReadAllText(Path.Combine(dir.Path, "artifacts", stage, "text.txt"));

    [Fact]
    public async Task A_param_switched_back_restores_the_earlier_outputs_and_their_downstream_without_running()
    {
        var (dir, h) = await Fresh();
        using var _ = dir;
        var switched = await h.RunAsync(null, "stages.a.params.suffix=#");
        Assert.Equal((StageOutcome.Ran, StageOutcome.Ran), (Outcome(switched, "a"), Outcome(switched, "b")));
        Assert.Equal("hello #?", Output(dir, "b"));

        var back = await h.RunAsync();
        Assert.Equal((StageOutcome.Restored, StageOutcome.Restored), (Outcome(back, "a"), Outcome(back, "b")));
        Assert.Equal(("hello !", "hello !?"), (Output(dir, "a"), Output(dir, "b")));
        Assert.All(h.Status(), s => Assert.Equal(StageState.Fresh, s.State));

        // The '#' run's outputs were kept too, and restoring the '!' ones did not change them through a shared link.
        var again = await h.RunAsync(null, "stages.a.params.suffix=#");
        Assert.Equal((StageOutcome.Restored, StageOutcome.Restored), (Outcome(again, "a"), Outcome(again, "b")));
        Assert.Equal("hello #?", Output(dir, "b"));
        var p = h.Load("stages.a.params.suffix=#");
        Assert.Equal(new RunCache(p.ArtifactsRoot).Find(LockFile.Open(p).Stages["a"].Fingerprint)!.Outputs["text"].Hash, LockFile.Open(p).Stages["a"].Outputs["text"].Hash);
    }

    [Fact]
    public async Task An_entry_whose_content_changed_is_dropped_and_the_stage_runs()
    {
        var (dir, h) = await Fresh();
        using var _ = dir;
        var p = h.Load();
        var entry = new RunCache(p.ArtifactsRoot).Find(LockFile.Open(p).Stages["a"].Fingerprint)!;
        await h.RunAsync(null, "stages.a.params.suffix=#");

        var cached = Directory.GetFiles(Path.Combine(p.ArtifactsRoot, ".cache", "runs"), "text.txt", SearchOption.AllDirectories)
            .Single(f => File.ReadAllText(f) == "hello !");
        File.WriteAllText(cached, "hello tampered"); // in place, as an editor writing through a hard link would

        var progress = new RecordingProgressSink();
        var back = await new PipelineRunner(p, progress).RunAsync(new RunOptions(), CancellationToken.None);
        Assert.Equal(StageOutcome.Ran, Outcome(back, "a"));
        Assert.Equal("hello !", Output(dir, "a"));
        Assert.Contains(progress.Lines, m => m.Contains("run-cache entry for this state was dropped") && m.Contains("no longer has the content"));
        // The run replaced the dropped entry with a good one.
        Assert.Equal(entry.Outputs["text"].Hash, new RunCache(p.ArtifactsRoot).Find(entry.Fingerprint)!.Outputs["text"].Hash);
    }

    [Fact]
    public async Task Force_and_no_run_cache_run_the_stage_and_a_dry_run_says_it_would_restore()
    {
        var (dir, h) = await Fresh();
        using var _ = dir;
        await h.RunAsync(null, "stages.a.params.suffix=#");

        var dry = await h.RunAsync(new RunOptions { DryRun = true });
        Assert.Contains(dry.Stages.Single(s => s.Stage == "a").Reasons, r => r.Contains("run-cache holds its outputs"));
        Assert.Equal("hello #", Output(dir, "a"));

        var off = await h.RunAsync(new RunOptions { UseRunCache = false });
        Assert.Equal((StageOutcome.Ran, StageOutcome.Ran), (Outcome(off, "a"), Outcome(off, "b")));

        await h.RunAsync(null, "stages.a.params.suffix=#");
        var forced = await h.RunAsync(new RunOptions { Force = true, Targets = ["a"] });
        Assert.Equal(StageOutcome.Ran, Outcome(forced, "a"));
        var rest = await h.RunAsync(); // b was not forced: its earlier run of this state comes back
        Assert.Equal((StageOutcome.UpToDate, StageOutcome.Restored), (Outcome(rest, "a"), Outcome(rest, "b")));
        Assert.Equal("hello !?", Output(dir, "b"));
    }

    [Fact]
    public void Stages_that_write_outputs_in_place_are_never_cached()
    {
        var download = ShippedPipelinesTests.Load("pipelines/amazon2014.yaml").Find("download")!;
        Assert.False(RunCache.Applies(download));
        Assert.True(RunCache.Applies(ShippedPipelinesTests.Load("pipelines/amazon2014.yaml").Find("ingest")!));
    }
}
