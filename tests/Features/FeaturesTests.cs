using CrossDomain.Engine.Artifacts;
using CrossDomain.Stages.Features;
using CrossDomain.Stages.Sequences;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Features;

/// <summary>Histories cut before each target, and feature tables consistent with the sequences.</summary>
public sealed class FeaturesTests
{
    [Fact]
    public void Histories_end_before_the_validation_and_the_test_interaction()
    {
        // mixed: s1 t1 s2 [valid v] s3 [test x]; source s1 s2 s3; target t1 v x.
        var s = new SequenceRow
        {
            UserIdx = 0, User = "u",
            SourceItems = [11, 12, 13], SourceTimestamps = [1, 3, 5],
            TargetItems = [21, 22, 23], TargetTimestamps = [2, 4, 6],
            MixedItems = [11, 21, 12, 22, 13, 23], MixedTimestamps = [1, 2, 3, 4, 5, 6], MixedDomains = [0, 1, 0, 1, 0, 1],
            ValidItem = 22, ValidTimestamp = 4, TestItem = 23, TestTimestamp = 6,
        };
        var r = HistorySplitter.Split(s);
        Assert.Equal([21], r.TargetTrain);
        Assert.Equal([11, 12], r.SourceTrain);
        Assert.Equal([1L, 3], r.SourceTrainTimestamps);
        Assert.Equal([2L], r.TargetTrainTimestamps);
        Assert.Equal([11, 21, 12], r.MixedTrain);
        Assert.Equal([0, 1, 0], r.MixedTrainDomains);
        Assert.Equal([21, 22], r.TargetTestInput);
        Assert.Equal([11, 12, 13], r.SourceTestInput);
        Assert.Equal([11, 21, 12, 22, 13], r.MixedTestInput);
    }

    [Fact]
    public void When_truncation_dropped_the_validation_point_timestamps_decide_and_ties_count_as_after()
    {
        // max_len 3 kept only the last three mixed interactions; the validation item (t = 4) is not among them.
        var s = new SequenceRow
        {
            UserIdx = 0, User = "u",
            SourceItems = [11, 12, 13, 14], SourceTimestamps = [1, 4, 5, 5],
            TargetItems = [21, 22, 23], TargetTimestamps = [2, 4, 6],
            MixedItems = [13, 14, 23], MixedTimestamps = [5, 5, 6], MixedDomains = [0, 0, 1],
            ValidItem = 22, ValidTimestamp = 4, TestItem = 23, TestTimestamp = 6,
        };
        var r = HistorySplitter.Split(s);
        Assert.Equal([11], r.SourceTrain);      // 12 shares the validation day: excluded, never leaked
        Assert.Empty(r.MixedTrain);
        Assert.Equal([11, 12, 13, 14], r.SourceTestInput); // the test point is in the mixed sequence: exact
        Assert.Equal([13, 14], r.MixedTestInput);
    }

    [Fact]
    public async Task Feature_tables_of_the_default_pipeline_are_consistent_with_its_sequences()
    {
        using var dir = new TempDir();
        await DefaultPipeline.RunAsync(dir, ["features_food_to_kitchen"], "stages.synthesize.params.users=400", "stages.synthesize.params.items_per_domain=150");
        var outDir = Path.Combine(dir.Path, "artifacts", "features_food_to_kitchen");
        var items = await ParquetArtifact.ReadAsync<FeatureItemRow>(Path.Combine(outDir, "items.parquet"));
        var users = await ParquetArtifact.ReadAsync<CrossDomain.Trainer.Data.FeatureTables.UserRow>(Path.Combine(outDir, "users.parquet"));
        var sequences = await ParquetArtifact.ReadAsync<SequenceRow>(Path.Combine(dir.Path, "artifacts", "food_to_kitchen", "sequences.parquet"));
        var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json"))).RootElement;

        Assert.Equal(Enumerable.Range(1, items.Count), items.Select(i => i.ItemIdx));
        int labels = manifest.GetProperty("label_vocabulary").GetArrayLength(), tags = manifest.GetProperty("tag_vocabulary").GetArrayLength();
        Assert.All(items, i =>
        {
            Assert.All(i.Labels, l => Assert.InRange(l, 0, labels - 1));
            Assert.All(i.Tags, t => Assert.InRange(t, 0, tags - 1));
            if (i.HasTags) Assert.Equal(1.0, i.TagWeights.Sum(), 4);
            Assert.Equal(128, i.DescriptionEmbedding.Length);
        });
        Assert.Equal(sequences.Count, users.Count);
        var byUser = sequences.ToDictionary(s => s.UserIdx);
        foreach (var u in users)
        {
            var s = byUser[u.UserIdx];
            foreach (var seq in new[] { u.SourceTrain, u.TargetTrain, u.MixedTrain, u.SourceTestInput, u.TargetTestInput, u.MixedTestInput })
                Assert.All(seq, x => Assert.InRange(x, 1, items.Count));
            // No input holds its target or anything after it.
            Assert.DoesNotContain(u.ValidItem, u.TargetTrain);
            Assert.DoesNotContain(u.TestItem, u.TargetTrain);
            Assert.DoesNotContain(u.TestItem, u.TargetTestInput);
            Assert.All(u.MixedTrainTimestamps, t => Assert.True(t <= u.ValidTimestamp));
            Assert.All(u.SourceTrainTimestamps.Concat(u.TargetTrainTimestamps), t => Assert.True(t <= u.ValidTimestamp));
            Assert.Equal(u.SourceTrain.Length, u.SourceTrainTimestamps.Length);
            Assert.All(u.MixedTestInputTimestamps, t => Assert.True(t <= u.TestTimestamp));
            // The target part of each mixed history is exactly the target history it sits beside.
            var trainTargets = u.MixedTrain.Where((_, k) => u.MixedTrainDomains[k] == 1).ToArray();
            Assert.Equal(u.TargetTrain.TakeLast(trainTargets.Length), trainTargets);
            Assert.Equal(s.ValidItem, u.ValidItem);
            Assert.Equal(s.TestItem, u.TestItem);
            Assert.Equal("target", items[u.TestItem - 1].Role);
        }
        Assert.StartsWith("xxh128:", manifest.GetProperty("inputs").GetProperty("embeddings").GetProperty("content_hash").GetString()!);
        Assert.Equal("embed", manifest.GetProperty("inputs").GetProperty("embeddings").GetProperty("stage").GetString());
    }

    [Fact]
    public async Task With_target_first_ties_no_input_holds_a_source_interaction_from_the_day_it_predicts()
    {
        using var dir = new TempDir();
        await DefaultPipeline.RunAsync(dir, ["features_food_to_kitchen"], "stages.synthesize.params.users=400", "stages.synthesize.params.items_per_domain=150",
            "stages.food_to_kitchen.params.cross_domain_ties=target_first");
        var users = await ParquetArtifact.ReadAsync<CrossDomain.Trainer.Data.FeatureTables.UserRow>(Path.Combine(dir.Path, "artifacts", "features_food_to_kitchen", "users.parquet"));
        var stats = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "artifacts", "food_to_kitchen", "stats.json"))).RootElement;
        // The synthetic data puts about one interaction in three on its predecessor's day, so the rule has work to do.
        Assert.True(stats.GetProperty("test_items_with_same_timestamp_source").GetInt32() > 10, stats.ToString());
        Assert.All(users, u =>
        {
            Assert.All(u.SourceTrainTimestamps, t => Assert.True(t < u.ValidTimestamp));
            Assert.All(u.SourceTestInputTimestamps, t => Assert.True(t < u.TestTimestamp));
            Assert.All(u.MixedTrainTimestamps.Where((_, k) => u.MixedTrainDomains[k] == 0), t => Assert.True(t < u.ValidTimestamp));
            Assert.All(u.MixedTestInputTimestamps.Where((_, k) => u.MixedTestInputDomains[k] == 0), t => Assert.True(t < u.TestTimestamp));
        });
    }
}
