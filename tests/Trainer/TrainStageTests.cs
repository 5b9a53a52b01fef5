using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Progress;
using CrossDomain.Engine.Run;
using CrossDomain.Stages.Evaluate;
using CrossDomain.Stages.Train;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Trainer;

/// <summary>The negatives, train and evaluate stages in the shipped default pipeline, with short training.</summary>
[Collection("torch")]
public sealed class TrainStageTests
{
    /// <summary>Cancels the run when a line containing <paramref name="trigger"/> is logged.</summary>
    private sealed class CancellingSink(CancellationTokenSource cts, string trigger) : IProgressSink
    {
        public RecordingProgressSink Inner { get; } = new();
        public IProgressTask Start(string description, double? total = null) => Inner.Start(description, total);
        public void Info(string message) { Inner.Info(message); if (message.Contains(trigger)) cts.Cancel(); }
        public void Warn(string message) => Inner.Warn(message);
        public void Verbose(string message) => Inner.Verbose(message);
    }

    [Fact]
    public async Task A_cut_off_train_stage_continues_from_its_last_checkpoint_and_resume_false_starts_over()
    {
        using var dir = new TempDir();
        string[] overrides = ["defaults.train.epochs=4", "defaults.train.seeds=[1]", "defaults.negatives.seeds=[1]"];
        await DefaultPipeline.RunAsync(dir, ["negatives_food_to_kitchen"], overrides);
        var harness = new PipelineHarness(dir, File.ReadAllText(Path.Combine(dir.Path, "pipeline.yaml")));
        var target = new RunOptions { Targets = ["train_sasrec_food_to_kitchen"] };

        using (var cts = new CancellationTokenSource())
        {
            var sink = new CancellingSink(cts, "epoch 2/4");
            var cut = await new PipelineRunner(harness.Load(overrides), sink).RunAsync(target, cts.Token);
            Assert.False(cut.Succeeded);
        }
        Assert.False(File.Exists(Path.Combine(dir.Path, "artifacts", "train_sasrec_food_to_kitchen", "results.parquet")));

        var resumed = new RecordingProgressSink();
        Assert.True((await new PipelineRunner(harness.Load(overrides), resumed).RunAsync(target, CancellationToken.None)).Succeeded);
        Assert.Contains(resumed.Lines, l => l.Contains("continuing it"));
        Assert.Contains(resumed.Lines, l => l.Contains("resuming after epoch 2"));
        Assert.DoesNotContain(resumed.Lines, l => l.Contains("epoch 1/4"));

        // Cut off again, then --resume false: training starts from epoch 1.
        using (var cts = new CancellationTokenSource())
            await new PipelineRunner(harness.Load(overrides), new CancellingSink(cts, "epoch 1/4")).RunAsync(target with { Force = true }, cts.Token);
        var fresh = new RecordingProgressSink();
        Assert.True((await new PipelineRunner(harness.Load(overrides), fresh).RunAsync(target with { Force = true, Resume = false }, CancellationToken.None)).Succeeded);
        Assert.Contains(fresh.Lines, l => l.Contains("epoch 1/4"));
        Assert.DoesNotContain(fresh.Lines, l => l.Contains("resuming"));
    }

    [Fact]
    public async Task Negatives_drawn_for_other_features_or_seeds_are_refused_by_name()
    {
        using var dir = new TempDir();
        string[] overrides = ["defaults.train.epochs=1", "defaults.train.seeds=[1]", "defaults.negatives.seeds=[1]"];
        await DefaultPipeline.RunAsync(dir, ["negatives_food_to_kitchen", "negatives_kitchen_to_food"], overrides);
        var harness = new PipelineHarness(dir, File.ReadAllText(Path.Combine(dir.Path, "pipeline.yaml")));
        var crossed = await harness.RunAsync(new RunOptions { Targets = ["train_popularity_food_to_kitchen"] },
            [.. overrides, "stages.train_popularity_food_to_kitchen.deps=[features_food_to_kitchen, negatives_kitchen_to_food]"]);
        Assert.Contains("drawn for other feature tables", crossed.Stages.Single(s => s.Stage == "train_popularity_food_to_kitchen").Error);
        var unseeded = await harness.RunAsync(new RunOptions { Targets = ["train_popularity_food_to_kitchen"] }, [.. overrides, "defaults.train.seeds=[9]"]);
        Assert.Contains("no negatives drawn for seed 9", unseeded.Stages.Single(s => s.Stage == "train_popularity_food_to_kitchen").Error);
    }
}
