using CrossDomain.Tests.Support;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>SASRec: attention never sees the future, and training lowers the loss and beats the random ranker.</summary>
public sealed class SasRecTests
{
    [Fact]
    public void A_position_does_not_see_later_positions()
    {
        TorchNativeLoader.EnsureLoaded();
        manual_seed(1);
        using var model = new SasRec(new EncoderConfig(Items: 20, Hidden: 16, Heads: 2, Blocks: 2, Dropout: 0.5, MaxLength: 6));
        model.eval();
        using var a = tensor(new long[] { 0, 0, 3, 4, 5, 6 }, [1, 6]);
        using var b = tensor(new long[] { 0, 0, 3, 4, 9, 17 }, [1, 6]); // differs from position 4 on
        using var ha = model.forward(a);
        using var hb = model.forward(b);
        using var early = (ha[.., ..4, ..] - hb[.., ..4, ..]).abs().max();
        using var late = (ha[.., 4.., ..] - hb[.., 4.., ..]).abs().max();
        Assert.True(early.item<float>() < 1e-5f, $"positions before the change moved by {early.item<float>()}");
        Assert.True(late.item<float>() > 1e-3f);
    }

    [Fact]
    public async Task Sasrec_training_lowers_the_loss_and_beats_random_on_the_default_pipeline()
    {
        TorchNativeLoader.EnsureLoaded();
        using var dir = new TempDir();
        await DefaultPipeline.RunAsync(dir, ["features_food_to_kitchen"]);
        var tables = await FeatureTables.LoadAsync(Path.Combine(dir.Path, "artifacts", "features_food_to_kitchen"));
        var evaluator = new RankingEvaluator(tables, SampledNegatives.Draw(tables, 100, seed: 1));
        using var trainer = new SasRecTrainer(tables, new EncoderConfig(tables.ItemCount, Hidden: 32, Dropout: 0.2, MaxLength: 50), new TrainConfig(Seed: 1));
        using var optimizer = trainer.CreateOptimizer();
        var losses = Enumerable.Range(0, 30).Select(_ => trainer.TrainEpoch(optimizer)).ToList();
        Assert.True(losses[^1] < losses[0] * 0.9, $"loss {losses[0]:F3} -> {losses[^1]:F3}");
        var sasrec = evaluator.Evaluate(trainer, EvalSplit.Valid);
        var popularity = evaluator.Evaluate(new PopularityScorer(tables), EvalSplit.Valid);
        var random = evaluator.Evaluate(new RandomScorer(1), EvalSplit.Valid);
        Assert.True(sasrec.Sampled["HR@10"] > random.Sampled["HR@10"] + 0.2,
            $"SASRec {sasrec.Sampled["HR@10"]:F3}, popularity {popularity.Sampled["HR@10"]:F3}, random {random.Sampled["HR@10"]:F3}");
        // Not yet asserted: beating popularity. On this synthetic data (about 5 training items per user) SASRec reaches
        // popularity's HR@10 (0.39 vs 0.40 after 30 epochs) but not clearly above it; issue 6 still has to get there.
    }
}
