using System.Text.Json;
using CrossDomain.Tests.Support;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;

namespace CrossDomain.Tests.Trainer;

/// <summary>The one evaluator: frozen sampled negatives, both protocols, the popularity and random rankers.</summary>
public sealed class EvaluationTests
{
    private static FeatureTables.UserRow User(int idx, int[] train, int valid, int test) =>
        new() { UserIdx = idx, TargetTrain = train, TargetTestInput = [.. train, valid], ValidItem = valid, TestItem = test };

    // Items 1..4 are source-domain, 5..10 target-domain.
    private static FeatureTables Tables(params FeatureTables.UserRow[] users) => new()
    {
        Users = users, ItemCount = 10, TargetItems = [5, 6, 7, 8, 9, 10], SourceItems = [1, 2, 3, 4], Manifest = JsonDocument.Parse("{}").RootElement,
    };

    private sealed class ByIndex : IRecommenderScorer
    {
        public string Name => "by-index";
        public void ScoreAll(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, float[][] scores)
        {
            foreach (var s in scores) for (int i = 0; i < s.Length; i++) s[i] = i;
        }
    }

    private sealed class Constant : IRecommenderScorer
    {
        public string Name => "constant";
        public void ScoreAll(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, float[][] scores)
        {
            foreach (var s in scores) Array.Fill(s, 1f);
        }
    }

    [Fact]
    public void Negatives_exclude_the_users_target_history_are_frozen_per_seed_and_round_trip()
    {
        var t = Tables(User(0, [5], 6, 7), User(1, [8, 9], 10, 5));
        var a = SampledNegatives.Draw(t, 2, seed: 1);
        var b = SampledNegatives.Draw(t, 2, seed: 1);
        foreach (var split in new[] { EvalSplit.Valid, EvalSplit.Test })
        {
            Assert.Equal(a.For(0, split), b.For(0, split));
            Assert.Equal(2, a.For(0, split).Length);
            Assert.All(a.For(0, split), n => Assert.Contains(n, new[] { 8, 9, 10 })); // never 5, 6, 7 nor a source item
            Assert.Equal(2, a.For(0, split).Distinct().Count());
        }
        Assert.Equal([6, 7], SampledNegatives.Draw(t, 100, seed: 3).For(1, EvalSplit.Test).Order()); // fewer candidates than asked: all of them
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "negatives.parquet");
        a.SaveAsync(path).GetAwaiter().GetResult();
        var loaded = SampledNegatives.LoadAsync(path, 1, 2).GetAwaiter().GetResult();
        Assert.Equal(a.For(1, EvalSplit.Valid), loaded.For(1, EvalSplit.Valid));
        Assert.Throws<InvalidDataException>(() => SampledNegatives.LoadAsync(path, 2, 2).GetAwaiter().GetResult());
    }

    [Fact]
    public void Only_users_with_enough_target_interactions_are_scored_when_a_minimum_is_set()
    {
        // User 0: 1 training item + validation + test = 3 interactions; user 1: 2 + 2 = 4.
        var t = Tables(User(0, [5], 6, 7), User(1, [5, 8], 6, 7));
        var negatives = SampledNegatives.Draw(t, 2, seed: 0);
        Assert.Equal(2, new RankingEvaluator(t, negatives).Evaluate(new ByIndex(), EvalSplit.Test).Users);
        var four = new RankingEvaluator(t, negatives, minTargetItems: 4).Evaluate(new ByIndex(), EvalSplit.Test);
        Assert.Equal(1, four.Users);
        // User 1 alone: its history 5 and 8 are not candidates; 9 and 10 outscore 7 -> rank 3.
        Assert.Equal(1.0 / 3, four.Full["MRR"], 9);
        Assert.Contains("no user has 5 target interactions (the most any has: 4)",
            Assert.Throws<ArgumentException>(() => new RankingEvaluator(t, negatives, minTargetItems: 5)).Message);
        Assert.Equal([1], RankingEvaluator.Scored(t, 4).Select(u => u.UserIdx));
    }

    [Fact]
    public void Both_protocols_rank_by_hand_computed_values_and_ties_count_against_the_target()
    {
        // Scores = item index. User 0: train [5], valid 6, test 7; full candidates for test are 8, 9, 10 -> rank 4.
        var t = Tables(User(0, [5], 6, 7));
        var negatives = SampledNegatives.Draw(t, 2, seed: 0);
        var evaluator = new RankingEvaluator(t, negatives);
        var test = evaluator.Evaluate(new ByIndex(), EvalSplit.Test);
        Assert.Equal(0.25, test.Full["MRR"], 9);
        Assert.Equal(0, test.Full["HR@1"]);
        Assert.Equal(1, test.Full["HR@5"]);
        Assert.Equal(1 / Math.Log2(5), test.Full["NDCG@5"], 9);
        Assert.Equal(1.0 / 3, test.Sampled["MRR"], 9); // both negatives (from 8, 9, 10) outscore 7
        var valid = evaluator.Evaluate(new ByIndex(), EvalSplit.Valid);
        Assert.Equal(0.25, valid.Full["MRR"], 9); // 7 is history, not a candidate: 8, 9, 10 -> rank 4

        var ties = evaluator.Evaluate(new Constant(), EvalSplit.Test);
        Assert.Equal(0.25, ties.Full["MRR"], 9); // all equal: the worst rank, 4 of 4
        Assert.Equal(1.0 / 3, ties.Sampled["MRR"], 9);
    }

    [Fact]
    public async Task Popularity_beats_random_on_the_default_pipeline_and_the_table_has_the_papers_layout()
    {
        using var dir = new TempDir();
        await DefaultPipeline.RunAsync(dir, ["features_food_to_kitchen"]);
        var tables = await FeatureTables.LoadAsync(Path.Combine(dir.Path, "artifacts", "features_food_to_kitchen"));
        var evaluator = new RankingEvaluator(tables, SampledNegatives.Draw(tables, 100, seed: 1));
        var popularity = evaluator.Evaluate(new PopularityScorer(tables), EvalSplit.Valid);
        var random = evaluator.Evaluate(new RandomScorer(1), EvalSplit.Valid);
        Assert.True(popularity.Sampled["HR@10"] > random.Sampled["HR@10"] + 0.05, $"{popularity.Sampled["HR@10"]} vs {random.Sampled["HR@10"]}");
        Assert.InRange(random.Sampled["HR@10"], 0.05, 0.16); // about 10 of 101 candidates

        var markdown = CrossDomain.Stages.Evaluate.Table1.Markdown(
        [
            ("Food→Kitchen", "Popularity", popularity), ("Food→Kitchen", "Random", random),
            ("Food→Kitchen", "Random", evaluator.Evaluate(new RandomScorer(2), EvalSplit.Valid)),
        ], sampled: true);
        var lines = markdown.Trim().Split('\n');
        Assert.Equal("| model | Food→Kitchen N@5 | Food→Kitchen N@10 | Food→Kitchen HR@5 | Food→Kitchen HR@10 |", lines[0]);
        Assert.StartsWith("| Popularity |", lines[2]);
        Assert.Contains(" ± ", lines[3]); // two seeds: mean ± std
    }

    [Fact]
    public void Mean_and_sample_std_are_formatted_in_percent_points()
    {
        Assert.Equal("2.00 ± 1.41", SeedStatistics.Format([1, 3]));
        Assert.Equal("5.00", SeedStatistics.Format([5]));
    }
}
