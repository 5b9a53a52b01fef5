using CrossDomain.Engine.Artifacts;
using CrossDomain.Stages.Train;
using CrossDomain.Tests.Support;
using CrossDomain.Trainer.Data;

namespace CrossDomain.Tests.Features;

/// <summary>The shipped pipeline with its sequences switched to mixed_loo: features, negatives and a train stage's per-domain results.</summary>
public sealed class MixedLooPipelineTests
{
    [Fact]
    public async Task Under_mixed_loo_cases_fall_in_both_domains_and_the_train_stage_reports_each_domain()
    {
        using var dir = new TempDir();
        await DefaultPipeline.RunAsync(dir, ["train_popularity_food_to_kitchen"], "stages.synthesize.params.users=300", "stages.synthesize.params.items_per_domain=120",
            "stages.food_to_kitchen.params.protocol=mixed_loo");
        var features = Path.Combine(dir.Path, "artifacts", "features_food_to_kitchen");
        var tables = await FeatureTables.LoadAsync(features);
        Assert.Equal(FeatureTables.MixedLoo, tables.Protocol);
        // The held-out items are the merged sequence's last two, so both domains have test cases.
        var testDomains = tables.Users.Select(u => tables.DomainOf(u.TestItem)).Distinct().Order().ToList();
        Assert.Equal(["source", "target"], testDomains);
        Assert.All(tables.Users, u =>
        {
            Assert.Equal(u.MixedTrain, u.MixedTestInput[..^1]);
            Assert.Equal(u.ValidItem, u.MixedTestInput[^1]);
        });

        var rows = await ParquetArtifact.ReadAsync<ResultRow>(Path.Combine(dir.Path, "artifacts", "train_popularity_food_to_kitchen", "results.parquet"));
        Assert.Equal(["food", "food+kitchen", "kitchen"], rows.Select(r => r.Direction).Distinct().Order(StringComparer.Ordinal));
        var summary = TrainSummary.Load(Path.Combine(dir.Path, "artifacts", "train_popularity_food_to_kitchen", "summary.json"));
        Assert.Equal("food+kitchen", summary.Direction);
    }
}
