using CrossDomain.Engine.Lock;
using CrossDomain.Engine.Progress;
using CrossDomain.Engine.Run;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Engine;

/// <summary>
/// clean removes only what its own lock recorded, into a recoverable trash; the lock belongs to the artifacts root;
/// --force is the named stages only; run records never make dependants stale.
/// </summary>
public class CleanAndLockTests
{
    private const string Chain = """
        stages:
          a:
            uses: concat
            params: { inputs: [data/in.txt], suffix: "!" }
          b:
            uses: append
            deps: [a]
          c:
            uses: append
            deps: [b]
        """;

    // A second pipeline whose artifacts root sits inside the first one's, as pipelines/food-kitchen.yaml's does.
    private const string Nested = """
        artifacts: artifacts/other
        stages:
          a:
            uses: concat
            params: { inputs: [data/in.txt], suffix: "#" }
          z:
            uses: append
            deps: [a]
        """;

    private static (PipelineHarness Main, PipelineHarness Other) TwoPipelines(TempDir dir)
    {
        dir.File("data/in.txt", "x");
        return (new PipelineHarness(dir, Chain), new PipelineHarness(dir, Nested, "other.yaml"));
    }

    private static CleanPlan Plan(PipelineHarness h, params string[] stages)
    {
        var p = h.Load();
        return CleanPlan.Make(p, LockFile.Open(p), stages);
    }

    private static string Clean(PipelineHarness h, params string[] stages)
    {
        var p = h.Load();
        var lockFile = LockFile.Open(p);
        return new CleanTrash(p).Move(CleanPlan.Make(p, lockFile, stages), lockFile);
    }

    [Fact]
    public async Task Clean_of_one_pipeline_never_touches_a_nested_pipelines_outputs_or_unrecorded_files()
    {
        using var dir = new TempDir();
        var (main, other) = TwoPipelines(dir);
        Assert.True((await main.RunAsync()).Succeeded);
        Assert.True((await other.RunAsync()).Succeeded);
        var userFile = dir.File("artifacts/notes/my-analysis.txt", "hours of work");

        // Nothing is orphaned: clean has nothing to do, although the nested root and the user's file are "unreferenced".
        Assert.True(Plan(main).IsEmpty);
        Clean(main);
        Assert.True(File.Exists(Path.Combine(dir.Path, "artifacts/other/z/text.txt")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "artifacts/other/a/text.txt")));
        Assert.True(File.Exists(userFile));
        Assert.All(main.Status(), s => Assert.Equal(StageState.Fresh, s.State));
        Assert.All(other.Status(), s => Assert.Equal(StageState.Fresh, s.State));

        // Stage c leaves the pipeline: only its recorded output goes, and so does its lock entry.
        File.WriteAllText(main.ConfigPath, Chain[..Chain.IndexOf("  c:", StringComparison.Ordinal)]);
        var plan = Plan(main);
        Assert.Equal([Path.Combine(dir.Path, "artifacts", "c", "text.txt")], plan.Items.Select(i => i.Path));
        Assert.Equal(["c"], plan.DroppedEntries);
        var trash = Clean(main);
        Assert.False(File.Exists(Path.Combine(dir.Path, "artifacts/c/text.txt")));
        Assert.StartsWith(Path.Combine(dir.Path, "artifacts", CleanTrash.FolderName), trash);
        Assert.DoesNotContain("\"c\"", File.ReadAllText(Path.Combine(dir.Path, "artifacts", "pipeline.lock")));
        Assert.True(File.Exists(userFile));
        Assert.All(other.Status(), s => Assert.Equal(StageState.Fresh, s.State));
        Assert.All(main.Status(), s => Assert.Equal(StageState.Fresh, s.State));
    }

    [Fact]
    public async Task Cleaned_outputs_are_restored_with_their_lock_entries_and_the_next_run_empties_the_trash()
    {
        using var dir = new TempDir();
        var (main, _) = TwoPipelines(dir);
        Assert.True((await main.RunAsync()).Succeeded);
        var output = Path.Combine(dir.Path, "artifacts/b/text.txt");
        var before = File.ReadAllText(output);

        Clean(main, "b");
        Assert.False(File.Exists(output));
        Assert.Equal(StageState.Missing, main.Status("b").State);

        var p = main.Load();
        var lockFile = LockFile.Open(p);
        var (restored, skipped) = new CleanTrash(p).RestoreNewest(lockFile);
        Assert.Equal(["artifacts/b/text.txt"], restored);
        Assert.Empty(skipped);
        Assert.Equal(before, File.ReadAllText(output));
        Assert.All(main.Status(), s => Assert.Equal(StageState.Fresh, s.State));

        Clean(main, "c");
        var trashRoot = Path.Combine(dir.Path, "artifacts", CleanTrash.FolderName);
        Assert.NotEmpty(Directory.GetDirectories(trashRoot));
        var rerun = await main.RunAsync(new RunOptions { UseRunCache = false });
        Assert.Equal(StageOutcome.Ran, rerun.Stages.Single(s => s.Stage == "c").Outcome);
        Assert.False(Directory.Exists(trashRoot));
    }

    [Fact]
    public async Task A_named_stage_loses_its_outputs_even_though_the_pipeline_still_declares_them_and_an_unknown_name_is_an_error()
    {
        using var dir = new TempDir();
        var (main, _) = TwoPipelines(dir);
        Assert.True((await main.RunAsync()).Succeeded);
        Assert.Equal(["b"], Plan(main, "b").DroppedEntries);
        Assert.Single(Plan(main, "b").Items);
        var e = Assert.Throws<ArgumentException>(() => Plan(main, "nope"));
        Assert.Contains("unknown stage 'nope'", e.Message);
    }

    [Fact]
    public async Task Two_artifacts_roots_run_from_one_config_keep_separate_locks_and_both_stay_fresh()
    {
        using var dir = new TempDir();
        dir.File("data/in.txt", "x");
        var h = new PipelineHarness(dir, Chain);
        Assert.True((await h.RunAsync(null, "artifacts=root1")).Succeeded);
        Assert.True((await h.RunAsync(null, "artifacts=root2", "stages.a.params.suffix=?")).Succeeded);
        Assert.True(File.Exists(Path.Combine(dir.Path, "root1", "pipeline.lock")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "root2", "pipeline.lock")));
        Assert.All(h.Status(["artifacts=root1"]), s => Assert.Equal(StageState.Fresh, s.State));
        Assert.All(h.Status(["artifacts=root2", "stages.a.params.suffix=?"]), s => Assert.Equal(StageState.Fresh, s.State));
        var again = await h.RunAsync(null, "artifacts=root1");
        Assert.All(again.Stages, s => Assert.Equal(StageOutcome.UpToDate, s.Outcome));
    }

    [Fact]
    public async Task An_explicit_lock_path_is_used_and_a_lock_beside_the_config_from_before_is_taken_over()
    {
        using var dir = new TempDir();
        dir.File("data/in.txt", "x");
        var h = new PipelineHarness(dir, Chain);
        var custom = Path.Combine(dir.Path, "locks", "mine.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(custom)!);
        var p = h.Load();
        var withLock = CrossDomain.Engine.Graph.PipelineLoader.Load(h.ConfigPath, TestRegistry.Create(), [], custom);
        Assert.Equal(custom, withLock.LockPath);
        Assert.True((await new PipelineRunner(withLock, new RecordingProgressSink()).RunAsync(new RunOptions(), CancellationToken.None)).Succeeded);
        Assert.True(File.Exists(custom));
        Assert.False(File.Exists(p.LockPath));

        // An old-style lock beside the config (pipeline.lock next to pipeline.yaml) is adopted for this root.
        File.Move(custom, Path.Combine(dir.Path, "pipeline.lock"));
        Assert.All(h.Status(), s => Assert.Equal(StageState.Fresh, s.State));
        // ...but not for another root, whose outputs it never recorded.
        Assert.All(h.Status(["artifacts=elsewhere"]), s => Assert.Equal(StageState.Missing, s.State));
    }

    [Fact]
    public async Task Force_reruns_the_named_stage_only_and_force_upstream_reruns_its_chain()
    {
        using var dir = new TempDir();
        dir.File("data/in.txt", "x");
        var h = new PipelineHarness(dir, Chain);
        Assert.True((await h.RunAsync()).Succeeded);
        var forced = await h.RunAsync(new RunOptions { Targets = ["c"], Force = true });
        Assert.Equal([("a", StageOutcome.UpToDate), ("b", StageOutcome.UpToDate), ("c", StageOutcome.Ran)], forced.Stages.Select(s => (s.Stage, s.Outcome)));
        var chain = await h.RunAsync(new RunOptions { Targets = ["c"], Force = true, ForceUpstream = true });
        Assert.All(chain.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));
        var all = await h.RunAsync(new RunOptions { Force = true });
        Assert.All(all.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));
    }

    [Fact]
    public async Task A_rerun_whose_run_record_differs_leaves_dependants_fresh()
    {
        using var dir = new TempDir();
        dir.File("data/in.txt", "x");
        var h = new PipelineHarness(dir, """
            stages:
              a:
                uses: stamped
                params: { inputs: [data/in.txt] }
              b:
                uses: append
                deps: [a]
            """);
        Assert.True((await h.RunAsync()).Succeeded);
        var record = File.ReadAllText(Path.Combine(dir.Path, "artifacts/a/run.json"));
        var forced = await h.RunAsync(new RunOptions { Targets = ["a"], Force = true });
        Assert.Equal(StageOutcome.Ran, forced.Stages.Single().Outcome);
        Assert.NotEqual(record, File.ReadAllText(Path.Combine(dir.Path, "artifacts/a/run.json")));
        Assert.All(h.Status(), s => Assert.Equal(StageState.Fresh, s.State));
    }
}
