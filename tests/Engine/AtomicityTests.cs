using CrossDomain.Engine.Run;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Engine;

public class AtomicityTests
{
    private const string Yaml = """
        stages:
          a:
            uses: concat
            params: { inputs: [data/in.txt], suffix: "!" }
          b:
            uses: append
            deps: [a]
        """;

    [Fact]
    public async Task A_failing_stage_leaves_previous_outputs_and_lock_untouched()
    {
        using var dir = new TempDir();
        dir.File("data/in.txt", "original");
        var h = new PipelineHarness(dir, Yaml);
        Assert.True((await h.RunAsync()).Succeeded);
        var output = Path.Combine(dir.Path, "artifacts/a/text.txt");
        var lockBytes = File.ReadAllBytes(Path.Combine(dir.Path, "artifacts", "pipeline.lock"));

        var failed = await h.RunAsync(null, "stages.a.params.fail=true", "stages.a.params.suffix=?");
        Assert.False(failed.Succeeded);
        Assert.Equal(StageOutcome.Failed, failed.Stages[0].Outcome);
        Assert.Equal("simulated failure", failed.Stages[0].Error);
        Assert.Equal(StageOutcome.Skipped, failed.Stages[1].Outcome);
        Assert.Equal("original!", File.ReadAllText(output));
        Assert.Equal(lockBytes, File.ReadAllBytes(Path.Combine(dir.Path, "artifacts", "pipeline.lock")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(dir.Path, "artifacts/.tmp")));
        Assert.All(h.Status(), s => Assert.Equal(StageState.Fresh, s.State));
    }

    [Fact]
    public void Recover_puts_back_outputs_that_a_crash_left_in_the_trash_and_removes_temporaries()
    {
        using var dir = new TempDir();
        var artifacts = Path.Combine(dir.Path, "artifacts");
        // State after a crash between "old output to trash" and "new output into place":
        var trash = Path.Combine(artifacts, ".trash", "a.99999.x");
        Directory.CreateDirectory(trash);
        File.WriteAllText(Path.Combine(trash, "0"), "previous output");
        var final = Path.Combine(artifacts, "a", "text.txt");
        File.WriteAllLines(Path.Combine(trash, "origins.tsv"), [$"0\t{final}"]);
        var tmp = Path.Combine(artifacts, ".tmp", "a.99999.deadbeef");
        Directory.CreateDirectory(tmp);
        File.WriteAllText(Path.Combine(tmp, "half-written"), "partial");

        new ArtifactStore(artifacts).Recover();

        Assert.Equal("previous output", File.ReadAllText(final));
        Assert.False(Directory.Exists(trash));
        Assert.False(Directory.Exists(tmp));
    }

    [Fact]
    public async Task Lock_is_deterministic_and_independent_of_param_order_in_the_file()
    {
        async Task<string> LockOf(string yaml)
        {
            using var dir = new TempDir();
            dir.File("data/in.txt", "same");
            var h = new PipelineHarness(dir, yaml);
            Assert.True((await h.RunAsync()).Succeeded);
            var text = File.ReadAllText(Path.Combine(dir.Path, "artifacts", "pipeline.lock"));
            // Only the run time and duration may differ between two runs of the same state.
            return string.Join("\n", text.Split('\n').Where(l => !l.Contains("\"ran_at\"") && !l.Contains("\"duration_s\"")));
        }
        var first = await LockOf(Yaml);
        var second = await LockOf(Yaml);
        var reordered = await LockOf("""
            stages:
              b:
                deps: [a]
                uses: append
              a:
                params: { suffix: "!", inputs: [data/in.txt] }
                uses: concat
            """);
        Assert.Equal(first, second);
        Assert.Equal(first, reordered);
        // Keys are sorted: "a" before "b", "fail" before "inputs" before "suffix".
        Assert.True(first.IndexOf("\"a\":", StringComparison.Ordinal) < first.IndexOf("\"b\":", StringComparison.Ordinal));
        Assert.True(first.IndexOf("\"fail\"", StringComparison.Ordinal) < first.IndexOf("\"suffix\"", StringComparison.Ordinal));
    }
}
