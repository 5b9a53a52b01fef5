using CrossDomain.Tests.Support;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Tests.Trainer;

/// <summary>
/// SASRec and GRU4Rec learn, with the shipped settings (hidden 64, 1 head, 2 blocks, dropout 0.5, batch 256), on the
/// synthetic default data and on the shared Food-Kitchen data: validation HR@10 clearly above the popularity and
/// random rankers, under both protocols.
/// </summary>
[Collection("torch")]
[Trait("Category", "Slow")] // a research claim over many epochs: `--filter "Category!=Slow"` leaves it out of the quick loop
public sealed class BaselinesLearnTests
{
    private static void AssertLearns(FeatureTables tables, string model, double learningRate, int epochs, double margin)
    {
        using var work = new TempDir();
        var negatives = SampledNegatives.Draw(tables, 100, seed: 1);
        var config = new TrainingConfig { Model = model, LearningRate = learningRate, Epochs = epochs, Patience = 20, Seeds = [1], Device = "cpu" };
        var trained = new TrainingRun(tables, config, work.Path).Run(_ => negatives).Seeds[0].Valid;
        var evaluator = new RankingEvaluator(tables, negatives);
        var popularity = evaluator.Evaluate(new PopularityScorer(tables), EvalSplit.Valid);
        var random = evaluator.Evaluate(new RandomScorer(1), EvalSplit.Valid);
        foreach (var (protocol, pick) in new (string, Func<EvaluationResult, IReadOnlyDictionary<string, double>>)[] { ("sampled", r => r.Sampled), ("full", r => r.Full) })
        {
            var message = $"{model} {protocol} valid HR@10 {pick(trained)["HR@10"]:F3}, popularity {pick(popularity)["HR@10"]:F3}, random {pick(random)["HR@10"]:F3}";
            Assert.True(pick(trained)["HR@10"] > pick(popularity)["HR@10"] + margin, message);
            Assert.True(pick(trained)["HR@10"] > pick(random)["HR@10"] + margin, message);
        }
    }

    [Fact]
    public async Task On_the_synthetic_default_data()
    {
        using var dir = new TempDir();
        await DefaultPipeline.RunAsync(dir, ["features_food_to_kitchen"], DefaultPipeline.FullSizeData); // calibrated on pipelines/synthetic.yaml's data
        var tables = await FeatureTables.LoadAsync(Path.Combine(dir.Path, "artifacts", "features_food_to_kitchen"));
        AssertLearns(tables, "sasrec", 1e-3, epochs: 40, margin: 0.05);
        AssertLearns(tables, "gru4rec", 5e-3, epochs: 40, margin: 0.05);
    }

    [RealDataFact]
    public async Task On_the_shared_food_kitchen_data()
    {
        using var dir = new TempDir();
        await RealPipeline.RunAsync(dir, ["features_food_to_kitchen"]);
        var tables = await FeatureTables.LoadAsync(Path.Combine(dir.Path, "artifacts", "food-kitchen", "features_food_to_kitchen"));
        AssertLearns(tables, "sasrec", 1e-3, epochs: 32, margin: 0.05);
        AssertLearns(tables, "gru4rec", 5e-3, epochs: 25, margin: 0.05);
    }
}
