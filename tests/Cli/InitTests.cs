using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Cli;

/// <summary><c>crossdomain init</c>: a new domain pair gets its own pipeline file, stage names and artifacts root, and runs.</summary>
public class InitTests
{
    [Fact]
    public void Init_writes_a_pipeline_named_after_the_pair_that_validates_and_runs_on_a_pair_the_project_has_never_seen()
    {
        using var dir = new TempDir();
        Repo.CopyPrompts(dir); // init runs in a checkout: the prompt templates are there
        // Raw files of "another pair": the synthetic generator's, under other names.
        dir.File("gen.yaml", "artifacts: gen\nstages:\n  synth:\n    uses: synthesize\n    params: { seed: 3, users: 300, items_per_domain: 120, malformed_lines_per_file: 0 }\n");
        Assert.Equal(0, CliProcess.Run(dir.Path, "--config", "gen.yaml", "run", "all").Code);
        var raw = "gen/synth/raw";

        var init = CliProcess.Run(dir.Path, "init", "--pair", "beauty:electronics",
            "--files", $"beauty={raw}/reviews_Synthetic_Food.json.gz,{raw}/meta_Synthetic_Food.json.gz",
            "--files", $"electronics={raw}/reviews_Synthetic_Kitchen.json.gz,{raw}/meta_Synthetic_Kitchen.json.gz",
            "--name", "beauty=All Beauty", "--seeds", "1");
        Assert.True(init.Code == 0, init.Out + init.Err);
        Assert.Contains("wrote pipelines/beauty-electronics.yaml", init.Out);
        var yaml = File.ReadAllText(Path.Combine(dir.Path, "pipelines/beauty-electronics.yaml"));
        Assert.Contains("  beauty_to_electronics:", yaml);
        Assert.Contains("  train_semacdr_electronics_to_beauty:", yaml);
        Assert.Contains("  train_sasrec_ce_beauty_to_electronics:", yaml);
        Assert.Contains("{ model: sasrec, loss: ce }", yaml);
        Assert.Contains("\"All Beauty\"", yaml);
        Assert.DoesNotContain("food_to", yaml);
        Assert.DoesNotContain("kitchen_to", yaml);
        Assert.DoesNotContain("schema_file", yaml);

        // Never overwritten by accident; bad names and missing files are refused with the reason.
        var again = CliProcess.Run(dir.Path, "init", "--pair", "beauty:electronics", "--files", "beauty=x", "--files", "electronics=y");
        Assert.Equal(2, again.Code);
        Assert.Contains("pass --force", again.Err);
        var bad = CliProcess.Run(dir.Path, "init", "--pair", "Beauty:electronics", "--files", "Beauty=x", "--files", "electronics=y");
        Assert.Equal(2, bad.Code);
        Assert.Contains("lowercase letters", bad.Err);
        var missing = CliProcess.Run(dir.Path, "init", "--pair", "toys:games", "--files", "toys=no/such.json.gz", "--files", "games=no/other.json.gz");
        Assert.Equal(2, missing.Code);
        Assert.Contains("pipelines/toys-games.yaml:", missing.Err);
        Assert.Contains("missing input file", missing.Err);
        Assert.False(File.Exists(Path.Combine(dir.Path, "pipelines/toys-games.yaml")));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "pipelines"), "*.draft.yaml"));

        var run = CliProcess.Run(dir.Path, "--config", "pipelines/beauty-electronics.yaml", "run", "features_electronics_to_beauty");
        Assert.True(run.Code == 0, run.Out + run.Err);
        Assert.Contains("schema derived from the items' category trees", run.Out);
        Assert.True(File.Exists(Path.Combine(dir.Path, "artifacts/beauty-electronics/features_electronics_to_beauty/items.parquet")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "artifacts/beauty-electronics/pipeline.lock")));
    }
}
