using System.Text.Json;
using CrossDomain.Stages.Features;
using CrossDomain.Stages.Sequences;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;

namespace CrossDomain.Tests.Trainer;

/// <summary>
/// The mixed_loo protocol (C2DSR, ABXI) on a hand-made merged sequence: which interactions are held out, which domain
/// each case is scored in, which items are its candidates, and that negatives avoid the user's history in that domain.
/// </summary>
public sealed class MixedLooProtocolTests
{
    private static SequencesParams P(int maxLen = 50) => new()
    {
        Source = "food", Target = "kitchen", MinItemInteractions = 1, MinUserInteractions = 1, Repeats = RepeatPolicy.KeepAll,
        MaxLen = maxLen, Protocol = EvaluationProtocol.MixedLoo,
    };

    private static SequenceBuilder.Result Build(SequencesParams p, params (string User, string Item, string Domain, long Ts)[] rows)
    {
        var b = new SequenceBuilder(p);
        foreach (var r in rows) b.Add(r.User, r.Item, r.Domain == p.Source ? 0 : 1, r.Ts);
        return b.Build();
    }

    private static string Name(SequenceBuilder.Result r, int idx) => r.Items.Single(x => x.ItemIdx == idx).Item;

    // u: f1 k1 f2 k2 [valid k3] [test f3]: validation falls in the target domain, test in the source domain.
    // v: k1 f1 k2 [valid f2] [test k4].
    private static readonly (string, string, string, long)[] Rows =
    [
        ("u", "f1", "food", 1), ("u", "k1", "kitchen", 2), ("u", "f2", "food", 3), ("u", "k2", "kitchen", 4), ("u", "k3", "kitchen", 5), ("u", "f3", "food", 6),
        ("v", "k1", "kitchen", 1), ("v", "f1", "food", 2), ("v", "k2", "kitchen", 3), ("v", "f2", "food", 4), ("v", "k4", "kitchen", 5),
    ];

    [Fact]
    public void The_last_two_interactions_of_the_merged_sequence_are_held_out_whatever_their_domain()
    {
        var r = Build(P(), Rows);
        var u = r.Rows.Single(x => x.User == "u");
        Assert.Equal(("k3", "f3"), (Name(r, u.ValidItem), Name(r, u.TestItem)));
        Assert.Equal(["f1", "f2", "f3"], u.SourceItems.Select(i => Name(r, i)));
        Assert.Equal(["k1", "k2", "k3"], u.TargetItems.Select(i => Name(r, i)));
        var v = r.Rows.Single(x => x.User == "v");
        Assert.Equal(("f2", "k4"), (Name(r, v.ValidItem), Name(r, v.TestItem)));
        Assert.Equal("mixed_loo", r.Stats.Protocol);
    }

    [Fact]
    public void Max_len_cuts_the_merged_sequence_first_and_the_domain_sequences_are_its_parts()
    {
        var r = Build(P(maxLen: 4), Rows);
        var u = r.Rows.Single(x => x.User == "u");
        Assert.Equal(["f2", "k2", "k3", "f3"], u.MixedItems.Select(i => Name(r, i)));
        Assert.Equal(["f2", "f3"], u.SourceItems.Select(i => Name(r, i)));   // f1 fell with the cut
        Assert.Equal(["k2", "k3"], u.TargetItems.Select(i => Name(r, i)));
    }

    [Fact]
    public void A_user_with_fewer_than_three_interactions_in_all_is_dropped_but_one_target_interaction_is_enough()
    {
        var r = Build(P(), ("a", "f1", "food", 1), ("a", "k1", "kitchen", 2), ("b", "f1", "food", 1), ("b", "f2", "food", 2), ("b", "k1", "kitchen", 3));
        Assert.Equal(["b"], r.Rows.Select(x => x.User));
    }

    [Fact]
    public void Inputs_are_prefixes_of_the_merged_sequence_and_never_hold_the_held_out_item()
    {
        var r = Build(P(), Rows);
        var seq = r.Rows.Single(x => x.User == "u");
        var row = HistorySplitter.Split(seq, EvaluationProtocol.MixedLoo);
        string[] N(int[] items) => [.. items.Select(i => Name(r, i))];
        Assert.Equal(["f1", "k1", "f2", "k2"], N(row.MixedTrain));
        Assert.Equal(["f1", "f2"], N(row.SourceTrain));
        Assert.Equal(["k1", "k2"], N(row.TargetTrain));
        Assert.Equal(["f1", "k1", "f2", "k2", "k3"], N(row.MixedTestInput));
        Assert.Equal(["f1", "f2"], N(row.SourceTestInput));  // the test item f3 is not its own input
        Assert.Equal(["k1", "k2", "k3"], N(row.TargetTestInput));
        Assert.Equal([0, 1, 0, 1, 1], row.MixedTestInputDomains);
        Assert.Equal([1L, 2, 3, 4, 5], row.MixedTestInputTimestamps);
    }

    // Source items 1..4, target items 5..10. User 0: merged 1 5 2 6 [valid 7] [test 3]; user 1: 5 1 6 [valid 2] [test 8].
    private static FeatureTables Tables()
    {
        return new()
        {
            Users = [MixedTables.User(0, lastSourceItem: 4, [1, 5, 2, 6, 7, 3]), MixedTables.User(1, lastSourceItem: 4, [5, 1, 6, 2, 8])],
            ItemCount = 10, SourceItems = [1, 2, 3, 4], TargetItems = [5, 6, 7, 8, 9, 10],
            Manifest = JsonDocument.Parse("""{"protocol":"mixed_loo"}""").RootElement, Protocol = FeatureTables.MixedLoo,
        };
    }

    [Fact]
    public void Each_case_is_in_its_ground_truths_domain_and_negatives_avoid_the_users_items_there()
    {
        var t = Tables();
        var negatives = SampledNegatives.Draw(t, count: 999, seed: 7);
        // User 0's test item 3 is a source item: its negatives are the source items the user never had (4 only).
        Assert.Equal([4], negatives.For(0, EvalSplit.Test));
        // User 0's validation item 7 is a target item: target items outside {5, 6, 7} (its test item 3 is of the other domain).
        Assert.Equal([8, 9, 10], negatives.For(0, EvalSplit.Valid).Order());
        // User 1: validation 2 (source; the user has 1 and 2 there), test 8 (target; the user has 5, 6 and 8).
        Assert.Equal([3, 4], negatives.For(1, EvalSplit.Valid).Order());
        Assert.Equal([7, 9, 10], negatives.For(1, EvalSplit.Test).Order());
        Assert.Equal(["source", "target"], new[] { t.DomainOf(3), t.DomainOf(8) });
    }

    private sealed class ByIndex : IRecommenderScorer
    {
        public string Name => "by-index";
        public void ScoreAll(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, float[][] scores)
        {
            foreach (var s in scores) for (int i = 0; i < s.Length; i++) s[i] = i;
        }
    }

    [Fact]
    public void Full_ranking_candidates_are_the_domains_items_outside_the_history_and_metrics_are_kept_per_domain()
    {
        var t = Tables();
        var result = new RankingEvaluator(t, SampledNegatives.Draw(t, 999, 7)).Evaluate(new ByIndex(), EvalSplit.Test);
        // Score = item index. User 0, test 3 (source): candidates {3, 4}; 4 scores higher: rank 2 (not ranked among target items 5..10).
        // User 1, test 8 (target): candidates {7, 8, 9, 10} (5 and 6 are history): 9 and 10 score higher: rank 3.
        var domains = result.Domains!;
        Assert.Equal(["source", "target"], domains.Keys.Order());
        Assert.Equal(1, domains["source"].Cases);
        Assert.Equal(1 / 2.0, domains["source"].Full["MRR"], 12);
        Assert.Equal(1 / 3.0, domains["target"].Full["MRR"], 12);
        Assert.Equal((1 / 2.0 + 1 / 3.0) / 2, result.Full["MRR"], 12);
        // Sampled: the only negatives are those above, so the ranks are the same.
        Assert.Equal(1 / 2.0, domains["source"].Sampled["MRR"], 12);
        Assert.Equal(1 / 3.0, domains["target"].Sampled["MRR"], 12);
    }

    [Fact]
    public void Single_sequence_models_read_the_merged_sequence_and_predict_among_every_item()
    {
        var t = Tables();
        Assert.Equal([1, 5, 2, 6], t.SequenceTrain(t.Users[0]));
        Assert.Equal([1, 5, 2, 6, 7], t.SequenceInput(t.Users[0], EvalSplit.Test));
        Assert.Equal(Enumerable.Range(1, 10), t.SequenceItems);
        var popularity = new PopularityScorer(t);
        var scores = new[] { new float[11] };
        popularity.ScoreAll([t.Users[0]], EvalSplit.Test, scores);
        // Training interactions only (MixedTrain of both users): 1, 5, 2, 6 and 5, 1, 6; never 7, 3, 2-as-validation or 8.
        Assert.Equal([0f, 2, 1, 0, 0, 2, 2, 0, 0, 0, 0], scores[0]);
    }
}
