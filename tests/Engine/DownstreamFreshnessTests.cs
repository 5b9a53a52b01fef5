using CrossDomain.Engine.Run;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Engine;

/// <summary>
/// On the shipped default pipeline's data stages: a rerun that reproduces the same data leaves every downstream
/// stage fresh, whatever the run's timings, call counts or fingerprint.
/// </summary>
public class DownstreamFreshnessTests
{
    private static readonly string[] Targets = ["features_food_to_kitchen", "features_kitchen_to_food"];

    [Fact]
    public async Task Forcing_extract_embed_or_ingest_or_editing_a_prompt_the_offline_extractor_never_reads_leaves_downstream_fresh()
    {
        using var dir = new TempDir();
        await DefaultPipeline.RunAsync(dir, Targets);
        var h = new PipelineHarness(dir, File.ReadAllText(Path.Combine(Repo.Root, "pipeline.yaml")));
        var chain = h.Load().WithUpstream(Targets).Select(s => s.Name).ToList();
        void AllFresh(string after)
        {
            var stale = h.Status().Where(s => chain.Contains(s.Stage) && s.State != StageState.Fresh).ToList();
            Assert.True(stale.Count == 0, $"after {after}: " + string.Join("; ", stale.Select(s => $"{s.Stage}: {string.Join(", ", s.Reasons)}")));
        }

        foreach (var stage in new[] { "extract", "embed", "ingest" })
        {
            var forced = await h.RunAsync(new RunOptions { Targets = [stage], Force = true });
            Assert.Equal(StageOutcome.Ran, forced.Stages.Single(s => s.Stage == stage).Outcome);
            AllFresh($"run {stage} --force");
        }

        // The item-semantics template is an LLM prompt: extract reruns, and the offline extractor writes the same data.
        File.AppendAllText(Path.Combine(dir.Path, "prompts", "item_semantics.hbs"), "\n{{! an edit }}\n");
        var status = h.Status("extract");
        Assert.Equal(StageState.Stale, status.State);
        var rerun = await h.RunAsync(new RunOptions { Targets = Targets });
        Assert.Equal(StageOutcome.Ran, rerun.Stages.Single(s => s.Stage == "extract").Outcome);
        Assert.All(rerun.Stages.Where(s => s.Stage != "extract"), s => Assert.Equal(StageOutcome.UpToDate, s.Outcome));
        AllFresh("a prompt edit");
    }
}
