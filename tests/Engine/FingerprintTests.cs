using CrossDomain.Engine.Run;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Engine;

public class FingerprintTests
{
    private const string Yaml = """
        stages:
          a:
            uses: concat
            params:
              inputs: [data/in.txt]
              prompt: prompts/p.txt
              suffix: "!"
          b:
            uses: append
            deps: [a]
            params: { suffix: "?" }
        """;

    private static async Task<(TempDir Dir, PipelineHarness H)> Fresh()
    {
        var dir = new TempDir();
        dir.File("data/in.txt", "hello ");
        dir.File("prompts/p.txt", "Prompt v1.");
        var h = new PipelineHarness(dir, Yaml);
        var r = await h.RunAsync();
        Assert.True(r.Succeeded);
        Assert.All(r.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));
        return (dir, h);
    }

    [Fact]
    public async Task Fresh_after_a_run_and_nothing_reruns()
    {
        var (dir, h) = await Fresh();
        using var _ = dir;
        Assert.All(h.Status(), s => Assert.Equal(StageState.Fresh, s.State));
        var again = await h.RunAsync();
        Assert.All(again.Stages, s => Assert.Equal(StageOutcome.UpToDate, s.Outcome));
        Assert.Equal("hello Prompt v1.!?", File.ReadAllText(Path.Combine(dir.Path, "artifacts/b/text.txt")));
    }

    [Fact]
    public async Task Param_change_makes_the_stage_and_its_downstream_stale_and_names_the_param()
    {
        var (dir, h) = await Fresh();
        using var _ = dir;
        var a = h.Status("a", "stages.a.params.suffix=#");
        Assert.Equal(StageState.Stale, a.State);
        Assert.Contains(a.Reasons, r => r.Contains("param suffix changed") && r.Contains("\"!\"") && r.Contains("\"#\""));
        Assert.Contains(h.Status("b", "stages.a.params.suffix=#").Reasons, r => r.Contains("upstream stage a is stale"));
    }

    [Fact]
    public async Task Prompt_text_change_names_the_prompt_file()
    {
        var (dir, h) = await Fresh();
        using var _ = dir;
        File.WriteAllText(Path.Combine(dir.Path, "prompts/p.txt"), "Prompt v2.");
        var a = h.Status("a");
        Assert.Equal(StageState.Stale, a.State);
        Assert.Contains(a.Reasons, r => r == "input prompts/p.txt changed");
    }

    [Fact]
    public async Task A_format_1_lock_that_kept_prompts_apart_stays_fresh_and_is_rewritten_in_the_current_format()
    {
        var (dir, h) = await Fresh();
        using var _ = dir;
        // Rewrite the lock as format 1 had it: the prompt under "prompts", and the fingerprint that hashed it apart.
        var pipeline = h.Load();
        var current = CrossDomain.Engine.Lock.LockFile.Open(pipeline);
        var snapshot = StageSnapshot.Take(pipeline, pipeline.Find("a")!, new CrossDomain.Engine.Hashing.ContentHasher())!;
        var legacyFingerprint = snapshot.LegacyFingerprint(new HashSet<string> { "stages.a.params.prompt" });
        Assert.NotEqual(snapshot.Fingerprint, legacyFingerprint);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(pipeline.LockPath))!;
        var a = json["stages"]!["a"]!.AsObject();
        var inputs = a["inputs"]!.AsObject();
        var prompt = inputs["stages.a.params.prompt"]!.DeepClone();
        inputs.Remove("stages.a.params.prompt");
        a["prompts"] = new System.Text.Json.Nodes.JsonObject { ["stages.a.params.prompt"] = prompt };
        a["fingerprint"] = legacyFingerprint;
        json["lock_version"] = 1;
        File.WriteAllText(pipeline.LockPath, json.ToJsonString());

        Assert.All(h.Status(), s => Assert.Equal(StageState.Fresh, s.State));
        var run = await h.RunAsync();
        Assert.All(run.Stages, s => Assert.Equal(StageOutcome.UpToDate, s.Outcome));
        var upgraded = File.ReadAllText(pipeline.LockPath);
        Assert.DoesNotContain("\"prompts\"", upgraded);
        Assert.Equal(current.Stages["a"].Fingerprint, CrossDomain.Engine.Lock.LockFile.Load(pipeline.LockPath).Stages["a"].Fingerprint);

        // And a real change after the upgrade is still seen.
        File.WriteAllText(Path.Combine(dir.Path, "prompts/p.txt"), "Prompt v3.");
        Assert.Equal(StageState.Stale, h.Status("a").State);
    }

    [Fact]
    public async Task Input_content_change_is_stale_but_touching_without_change_is_fresh()
    {
        var (dir, h) = await Fresh();
        using var _ = dir;
        var input = Path.Combine(dir.Path, "data/in.txt");
        File.SetLastWriteTimeUtc(input, DateTime.UtcNow.AddMinutes(5)); // mtime differs, content same
        Assert.Equal(StageState.Fresh, h.Status("a").State);
        File.WriteAllText(input, "HELLO ");
        var a = h.Status("a");
        Assert.Equal(StageState.Stale, a.State);
        Assert.Contains(a.Reasons, r => r == "input data/in.txt changed");
    }

    [Fact]
    public async Task Upstream_output_change_makes_downstream_stale_only_when_its_content_changes()
    {
        var (dir, h) = await Fresh();
        using var _ = dir;
        // Rerunning a with --force produces identical bytes: b stays fresh (content addressing).
        var forced = await h.RunAsync(new RunOptions { Targets = ["a"], Force = true });
        Assert.Equal(StageOutcome.Ran, forced.Stages.Single().Outcome);
        Assert.Equal(StageState.Fresh, h.Status("b").State);
        // Changing a's param changes its output: after running a alone, b is stale because a's output changed.
        var single = await h.RunAsync(new RunOptions { Targets = ["a"], Single = true }, "stages.a.params.repeat=2");
        Assert.True(single.Succeeded);
        var b = h.Status("b", "stages.a.params.repeat=2");
        Assert.Equal(StageState.Stale, b.State);
        Assert.Contains(b.Reasons, r => r == "upstream output a.text changed");
    }

    [Fact]
    public async Task Modified_or_deleted_output_is_detected()
    {
        var (dir, h) = await Fresh();
        using var _ = dir;
        var output = Path.Combine(dir.Path, "artifacts/a/text.txt");
        File.AppendAllText(output, "tampered");
        Assert.Contains(h.Status("a").Reasons, r => r.Contains("was modified after the stage wrote it"));
        File.Delete(output);
        Assert.Equal(StageState.Missing, h.Status("a").State);
        var rerun = await h.RunAsync();
        Assert.Equal(StageOutcome.Ran, rerun.Stages.Single(s => s.Stage == "a").Outcome);
        Assert.Equal(StageOutcome.UpToDate, rerun.Stages.Single(s => s.Stage == "b").Outcome); // same bytes again
    }

    [Fact]
    public async Task Run_of_one_stage_brings_stale_upstream_first_and_dry_run_runs_nothing()
    {
        using var dir = new TempDir();
        dir.File("data/in.txt", "x");
        dir.File("prompts/p.txt", "y");
        var h = new PipelineHarness(dir, Yaml);
        var dry = await h.RunAsync(new RunOptions { Targets = ["b"], DryRun = true });
        Assert.Equal([StageOutcome.WouldRun, StageOutcome.WouldRun], dry.Stages.Select(s => s.Outcome));
        Assert.False(File.Exists(Path.Combine(dir.Path, "artifacts", "pipeline.lock")));
        var run = await h.RunAsync(new RunOptions { Targets = ["b"] });
        Assert.Equal(["a", "b"], run.Stages.Select(s => s.Stage));
        Assert.All(run.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));
    }

    [Fact]
    public async Task Single_fails_clearly_when_upstream_outputs_do_not_exist()
    {
        using var dir = new TempDir();
        dir.File("data/in.txt", "x");
        dir.File("prompts/p.txt", "y");
        var h = new PipelineHarness(dir, Yaml);
        var run = await h.RunAsync(new RunOptions { Targets = ["b"], Single = true });
        var b = Assert.Single(run.Stages);
        Assert.Equal(StageOutcome.Failed, b.Outcome);
        Assert.Contains("artifacts/a/text.txt", b.Error);
    }
}
