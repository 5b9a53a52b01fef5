using CrossDomain.Stages.Sequences;

namespace CrossDomain.Tests.Data;

/// <summary>Hand-checked cases of the papers' preprocessing.</summary>
public class SequenceBuilderTests
{
    private static SequencesParams P(int minItem = 1, int minUser = 1, FilterMode mode = FilterMode.FixedPoint, RepeatPolicy repeats = RepeatPolicy.KeepAll, int maxLen = 100, string source = "food", string target = "kitchen") =>
        new() { Source = source, Target = target, MinItemInteractions = minItem, MinUserInteractions = minUser, Filter = mode, Repeats = repeats, MaxLen = maxLen };

    private static SequenceBuilder.Result Build(SequencesParams p, params (string User, string Item, string Domain, long Ts)[] rows)
    {
        var b = new SequenceBuilder(p);
        foreach (var r in rows) b.Add(r.User, r.Item, r.Domain == p.Source ? 0 : 1, r.Ts);
        return b.Build();
    }

    private static string[] Names(SequenceBuilder.Result r, int[] idx) => idx.Select(i => r.Items.Single(x => x.ItemIdx == i).Item).ToArray();

    [Fact]
    public void Ties_keep_file_order_and_the_source_comes_first_across_domains()
    {
        var r = Build(P(),
            ("u", "a", "kitchen", 10), ("u", "s2", "food", 20), ("u", "b", "kitchen", 10), ("u", "s1", "food", 10),
            ("u", "d", "kitchen", 40), ("u", "c", "kitchen", 30));
        var row = Assert.Single(r.Rows);
        Assert.Equal(["s1", "s2"], Names(r, row.SourceItems));
        Assert.Equal(["a", "b", "c", "d"], Names(r, row.TargetItems)); // a before b: file order at equal time
        Assert.Equal(["s1", "a", "b", "s2", "c", "d"], Names(r, row.MixedItems));
        Assert.Equal([0, 1, 1, 0, 1, 1], row.MixedDomains);
        Assert.Equal([10L, 10, 10, 20, 30, 40], row.MixedTimestamps);
        Assert.Equal(("c", 30L, "d", 40L), (Names(r, [row.ValidItem])[0], row.ValidTimestamp, Names(r, [row.TestItem])[0], row.TestTimestamp));
    }

    [Fact]
    public void With_target_first_ties_a_same_day_source_interaction_follows_the_target_ones()
    {
        var p = P();
        p.CrossDomainTies = TieOrder.TargetFirst;
        var r = Build(p,
            ("u", "a", "kitchen", 10), ("u", "s2", "food", 20), ("u", "b", "kitchen", 10), ("u", "s1", "food", 10),
            ("u", "d", "kitchen", 40), ("u", "c", "kitchen", 30), ("u", "s3", "food", 40));
        var row = Assert.Single(r.Rows);
        Assert.Equal(["a", "b", "s1", "s2", "c", "d", "s3"], Names(r, row.MixedItems));
        Assert.Equal([1, 1, 0, 0, 1, 1, 0], row.MixedDomains);
        // s3 shares the test item's day; the statistics count it whichever order is chosen.
        Assert.Equal((0, 1, "target_first"), (r.Stats.ValidItemsWithSameTimestampSource, r.Stats.TestItemsWithSameTimestampSource, r.Stats.CrossDomainTies));
        Assert.Contains("(1 users): 0 validation, 1 test. cross_domain_ties: target_first (those source interactions are kept out", r.Stats.ToMarkdown());
    }

    [Fact]
    public void Indices_are_stable_sorted_by_domain_then_id_and_shared_by_both_directions()
    {
        var data = new[] { ("u2", "k2", "kitchen", 1L), ("u2", "k1", "kitchen", 2L), ("u2", "k3", "kitchen", 3L), ("u2", "f1", "food", 4L),
                           ("u1", "f2", "food", 1L), ("u1", "k1", "kitchen", 2L), ("u1", "k2", "kitchen", 3L), ("u1", "k3", "kitchen", 4L),
                           ("u1", "f1", "food", 5L), ("u1", "f3", "food", 6L), ("u2", "f2", "food", 7L), ("u2", "f3", "food", 8L) };
        var forward = Build(P(), data);
        var backward = Build(P(source: "kitchen", target: "food"), data);
        Assert.Equal(["f1", "f2", "f3", "k1", "k2", "k3"], forward.Items.Select(i => i.Item));
        Assert.Equal(Enumerable.Range(1, 6), forward.Items.Select(i => i.ItemIdx));
        Assert.Equal(forward.Items.Select(i => (i.ItemIdx, i.Item, i.Domain)), backward.Items.Select(i => (i.ItemIdx, i.Item, i.Domain)));
        Assert.Equal(["u1", "u2"], forward.Users.Select(u => u.User));
        // Leave-one-out happens in the target domain of each direction.
        Assert.Equal(["k3", "k3"], forward.Rows.Select(x => Names(forward, [x.TestItem])[0]));
        Assert.Equal(["f3", "f3"], backward.Rows.Select(x => Names(backward, [x.TestItem])[0]));
        Assert.Equal(["f1", "f2"], backward.Rows.Select(x => Names(backward, [x.ValidItem])[0]));
    }

    [Fact]
    public void A_user_can_fall_below_the_threshold_only_after_item_filtering()
    {
        // "rare" has 1 interaction and goes; u1's kitchen sequence is then x, y: under the target minimum of 3,
        // so it goes, and u1, left without a target sequence, leaves. u2 and u3 meet every threshold.
        var r = Build(P(minItem: 2, minUser: 2),
            ("u1", "x", "kitchen", 1), ("u1", "y", "kitchen", 2), ("u1", "rare", "kitchen", 3), ("u1", "p", "food", 4), ("u1", "q", "food", 5),
            ("u2", "x", "kitchen", 1), ("u2", "y", "kitchen", 2), ("u2", "z", "kitchen", 3), ("u2", "p", "food", 4), ("u2", "q", "food", 5),
            ("u3", "x", "kitchen", 1), ("u3", "y", "kitchen", 2), ("u3", "z", "kitchen", 3), ("u3", "p", "food", 4), ("u3", "q", "food", 5));
        Assert.Equal(["u2", "u3"], r.Rows.Select(x => x.User));
        var pass1 = r.Stats.Removed.Where(s => s.Pass == 1).ToList();
        Assert.Equal((1, 1L), (pass1[0].ItemsRemoved, pass1[0].InteractionsRemoved)); // "rare"
        Assert.Equal((1, 2L), (pass1[1].UserSequencesRemoved, pass1[1].InteractionsRemoved)); // u1's x, y
        Assert.Equal((1, 2L), (pass1[2].UsersRemoved, pass1[2].InteractionsRemoved)); // u1's p, q
        var kitchen = r.Stats.Domains.Single(d => d.Domain == "kitchen");
        Assert.Equal((2, 3, 6L, 3.0), (kitchen.OverlappedUsers, kitchen.Items, kitchen.Interactions, kitchen.AvgLength));
    }

    [Fact]
    public void Once_and_fixed_point_differ_when_a_removal_pushes_an_item_under_the_threshold()
    {
        // min_item 2: "w" has 2 interactions (u1, u2). u1 is removed by the user filter (1 food interaction < 2),
        // so "w" drops to 1: fixed point removes it (and then u2's kitchen drops to 3 - 1 = 2 < 3, so u2 goes),
        // once keeps it.
        var rows = new[]
        {
            ("u1", "w", "kitchen", 1L), ("u1", "x", "kitchen", 2L), ("u1", "y", "kitchen", 3L), ("u1", "f", "food", 4L),
            ("u2", "w", "kitchen", 1L), ("u2", "x", "kitchen", 2L), ("u2", "y", "kitchen", 3L), ("u2", "f", "food", 4L), ("u2", "g", "food", 5L),
            ("u3", "x", "kitchen", 1L), ("u3", "y", "kitchen", 2L), ("u3", "z", "kitchen", 3L), ("u3", "f", "food", 4L), ("u3", "g", "food", 5L),
            ("u4", "x", "kitchen", 1L), ("u4", "y", "kitchen", 2L), ("u4", "z", "kitchen", 3L), ("u4", "f", "food", 4L), ("u4", "g", "food", 5L),
        };
        var once = Build(P(minItem: 2, minUser: 2, mode: FilterMode.Once), rows);
        var fixedPoint = Build(P(minItem: 2, minUser: 2, mode: FilterMode.FixedPoint), rows);
        Assert.Equal(["u2", "u3", "u4"], once.Rows.Select(x => x.User));
        Assert.Contains("w", once.Items.Select(i => i.Item));
        Assert.Equal(["u3", "u4"], fixedPoint.Rows.Select(x => x.User));
        Assert.DoesNotContain("w", fixedPoint.Items.Select(i => i.Item));
        Assert.Equal(1, once.Stats.Passes);
        Assert.Equal(3, fixedPoint.Stats.Passes); // two passes remove something, the third confirms
    }

    [Fact]
    public void Repeat_policies_keep_all_first_or_last()
    {
        var rows = new[] { ("u", "a", "kitchen", 1L), ("u", "b", "kitchen", 2L), ("u", "a", "kitchen", 3L), ("u", "c", "kitchen", 4L), ("u", "f", "food", 5L) };
        Assert.Equal(["a", "b", "a", "c"], Names(Build(P(), rows), Build(P(), rows).Rows[0].TargetItems));
        var first = Build(P(repeats: RepeatPolicy.KeepFirst), rows);
        Assert.Equal(["a", "b", "c"], Names(first, first.Rows[0].TargetItems));
        var last = Build(P(repeats: RepeatPolicy.KeepLast), rows);
        Assert.Equal(["b", "a", "c"], Names(last, last.Rows[0].TargetItems));
        Assert.Equal(1L, first.Stats.Removed[0].InteractionsRemoved);
    }

    [Fact]
    public void Truncation_keeps_the_most_recent_and_the_split_items()
    {
        var rows = Enumerable.Range(1, 6).Select(i => ("u", $"k{i}", "kitchen", (long)i)).Append(("u", "f", "food", 0L)).ToArray();
        var r = Build(P(maxLen: 3), rows);
        var row = r.Rows[0];
        Assert.Equal(["k4", "k5", "k6"], Names(r, row.TargetItems));
        Assert.Equal(["k4", "k5", "k6"], Names(r, row.MixedItems));
        Assert.Equal(("k5", "k6"), (Names(r, [row.ValidItem])[0], Names(r, [row.TestItem])[0]));
        Assert.Equal(6L, r.Stats.Domains.Single(d => d.Role == "target").Interactions); // statistics count before truncation
        Assert.Equal(3L, r.Stats.TruncatedInteractions);
    }

    [Fact]
    public void Users_without_both_domains_are_dropped_unless_overlap_is_off()
    {
        var rows = new[] { ("u", "a", "kitchen", 1L), ("u", "b", "kitchen", 2L), ("u", "c", "kitchen", 3L) };
        Assert.Empty(Build(P(), rows).Rows);
        var p = P();
        p.OverlappingUsersOnly = false;
        var r = Build(p, rows);
        Assert.Empty(Assert.Single(r.Rows).SourceItems);
    }
}
