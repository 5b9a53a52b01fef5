using CrossDomain.Engine.Config;
using CrossDomain.Engine.Run;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Engine;

/// <summary>DVC-style matrix stages: one cached stage per combination, ${item.*} substituted, deps on the group.</summary>
public sealed class MatrixTests
{
    private const string Yaml = """
        stages:
          words:
            matrix:
              word: [alpha, "b c", 0.5]
              times: [1, 2]
            uses: concat
            params: { suffix: "${item.word};", repeat: "${item.times}" }
          all:
            uses: concat
            deps: [ words ]
            params: { suffix: "end" }
        """;

    [Fact]
    public async Task Every_combination_is_its_own_stage_with_its_values_and_a_dep_on_the_group_means_all_of_them()
    {
        using var dir = new TempDir();
        var harness = new PipelineHarness(dir, Yaml);
        var p = harness.Load();
        Assert.Equal(["words@alpha-1", "words@alpha-2", "words@b_c-1", "words@b_c-2", "words@0_5-1", "words@0_5-2", "all"], p.Stages.Select(s => s.Name));
        Assert.Equal(6, p.Find("all")!.Upstream.Count);
        var result = await harness.RunAsync();
        Assert.True(result.Succeeded);
        Assert.Equal("b c;b c;", File.ReadAllText(Path.Combine(dir.Path, "artifacts", "words@b_c-2", "text.txt")));
        Assert.Equal("0.5;", File.ReadAllText(Path.Combine(dir.Path, "artifacts", "words@0_5-1", "text.txt")));

        // Each member is cached on its own: changing one value reruns only the stages that carry it.
        var edited = new PipelineHarness(dir, Yaml.Replace("word: [alpha, \"b c\", 0.5]", "word: [alpha, \"b c\", 0.7]"));
        var stale = edited.Status().Where(s => s.State != StageState.Fresh).Select(s => s.Stage).ToList();
        Assert.Equal(["words@0_7-1", "words@0_7-2", "all"], stale);
    }

    [Fact]
    public async Task A_target_named_for_the_matrix_runs_every_stage_it_generated_and_nothing_downstream()
    {
        using var dir = new TempDir();
        var harness = new PipelineHarness(dir, Yaml);
        var result = await harness.RunAsync(new RunOptions { Targets = ["words"] });
        Assert.True(result.Succeeded);
        Assert.Equal(["words@alpha-1", "words@alpha-2", "words@b_c-1", "words@b_c-2", "words@0_5-1", "words@0_5-2"],
            result.Stages.Where(s => s.Outcome == StageOutcome.Ran).Select(s => s.Stage));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => harness.RunAsync(new RunOptions { Targets = ["word"] }));
        Assert.Contains("unknown stage 'word'", e.Message); // a prefix of the matrix's name is not its name
    }

    [Fact]
    public void A_reference_to_no_axis_and_a_malformed_matrix_are_reported_by_key()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ConfigException>(() => new PipelineHarness(dir, """
            stages:
              a:
                matrix: { x: [1, 2] }
                uses: concat
                params: { suffix: "${item.y}" }
              b:
                matrix: { x: 3 }
                uses: concat
            """).Load());
        Assert.Contains(e.Errors, x => x.Key == "stages.a@1.params.suffix" && x.Message.Contains("names no matrix axis"));
        Assert.Contains(e.Errors, x => x.Key == "stages.b.matrix.x" && x.Message.Contains("non-empty list"));
    }
}
