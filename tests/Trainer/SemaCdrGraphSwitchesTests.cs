using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.SemaCdr;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;
using static CrossDomain.Tests.Trainer.SemaCdrTests;

namespace CrossDomain.Tests.Trainer;

/// <summary>Issue 25, defects 1 and 2: the causal user vector, and the item-graph and edge-weight switches.</summary>
[Collection("torch")]
public sealed class SemaCdrGraphSwitchesTests
{
    private static Dictionary<string, string> With(string key, string value) => new() { [key] = value };

    private static float[] UserVectors(FeatureTables tables, string userVector, int user, Func<CrossDomainInput> input)
    {
        using var model = Create(tables, Config(extra: With("user_vector", userVector)));
        using var scope = NewDisposeScope();
        model.eval();
        using var noGrad = no_grad();
        return model.UserVectors(input(), CPU)[user].data<float>().ToArray();
    }

    [Fact]
    public void The_causal_user_vector_does_not_change_when_a_future_item_does_and_the_literal_one_does()
    {
        // User 2's last training item (12, the positive of its last slot) is replaced by 9: a future item for every slot.
        var before = TinyTables.Create();
        var after = TinyTables.Create(before.Users[0], before.Users[1], TinyTables.User(2, [2, 4, 5], [6, 10, 11, 9], 7, 8), before.Users[3]);
        CrossDomainInput Training(FeatureTables t) => CrossDomainInput.ForTraining(t.Users, 6, new NegativeSampler(t.TargetItems, new Random(1)));
        Assert.Equal([10L, 11, 12], Training(before).Positives[6..9]);

        var causalBefore = UserVectors(before, "causal", 2, () => Training(before));
        var causalAfter = UserVectors(after, "causal", 2, () => Training(after));
        Assert.Equal(causalBefore, causalAfter);
        // Each slot has its own vector: the prefixes differ (2, 4, 5, 6 before predicting 10; then 10; then 11).
        Assert.NotEqual(causalBefore[..8], causalBefore[8..16]);

        var graphBefore = UserVectors(before, "graph", 2, () => Training(before));
        var graphAfter = UserVectors(after, "graph", 2, () => Training(after));
        Assert.NotEqual(graphBefore[..8], graphAfter[..8]); // the literal h_u holds the future item at every slot
        Assert.Equal(graphBefore[..8], graphBefore[8..16]);  // and is the same vector at every slot
    }

    [Fact]
    public void Over_the_whole_training_history_the_causal_user_vector_is_the_graphs_user_row()
    {
        // At validation the last slot's prefix is every training interaction: exactly G^mix's neighbourhood of the user.
        var tables = TinyTables.Create();
        CrossDomainInput Valid() => CrossDomainInput.ForScoring(tables.Users, EvalSplit.Valid, 6);
        for (int user = 0; user < tables.Users.Count; user++)
        {
            var causal = UserVectors(tables, "causal", user, Valid);
            var graph = UserVectors(tables, "graph", user, Valid);
            var last = causal.Length - 8;
            for (int c = 0; c < 8; c++) Assert.Equal(graph[last + c], causal[last + c], 5);
        }
    }

    [Fact]
    public void Without_a_user_term_gamma_is_not_trained_and_the_vectors_are_zero()
    {
        var tables = TinyTables.Create();
        using var model = Create(tables, Config(extra: With("user_vector", "none")));
        Assert.DoesNotContain(model.named_parameters(), p => p.name == "_gamma" && p.parameter.requires_grad);
        using (var scope = NewDisposeScope())
        using (no_grad())
            Assert.All(model.UserVectors(CrossDomainInput.ForScoring(tables.Users, EvalSplit.Test, 6), CPU).data<float>().ToArray(), v => Assert.Equal(0f, v));
        AssertGradientsReachEveryTrainableParameter(model, tables);
    }

    [Fact]
    public void Item_graphs_count_their_edges_and_top_k_keeps_each_items_strongest_neighbours()
    {
        var tables = TinyTables.Create();
        // Target training sequences: [6, 7, 8], [7, 9], [6, 10, 11, 12], [12, 11]; 11 and 12 co-occur for two users.
        var co = InteractionGraphs.Build(tables, GraphKind.Full);
        Assert.Equal(2, co.TargetCounts[(11, 12)]);
        Assert.Equal(1, co.TargetCounts[(6, 12)]);
        var top1 = InteractionGraphs.Build(tables, GraphKind.Full, ItemGraph.TopK, 1);
        Assert.Equal(new HashSet<(int, int)> { (6, 7), (6, 8), (7, 9), (6, 10), (11, 12) }, top1.TargetEdges);
        var transition = InteractionGraphs.Build(tables, GraphKind.Full, ItemGraph.Transition);
        Assert.Equal(new HashSet<(int, int)> { (6, 7), (7, 8), (7, 9), (6, 10), (10, 11), (11, 12) }, transition.TargetEdges);
        Assert.Equal(2, transition.TargetCounts[(11, 12)]); // 11 → 12 and 12 → 11
        Assert.NotEmpty(transition.UserItemEdges);         // unlike SimpGraph, G^mix stays

        using var scope = NewDisposeScope();
        float Entry(EdgeWeight weight, int a, int b)
        {
            using var adjacency = co.ItemAdjacency(co.TargetCounts, weight, CPU);
            return adjacency.Multiply(eye(13))[a, b].item<float>();
        }
        // Binary: 11 and 12 each have 3 neighbours, degree 4: 1/4. Counts: degree 1 + 1 + 1 + 2 = 5 each: 2/5.
        Assert.Equal(0.25f, Entry(EdgeWeight.Binary, 11, 12), 6);
        Assert.Equal(0.4f, Entry(EdgeWeight.Count, 11, 12), 6);
        Assert.Equal(1 / 5f, Entry(EdgeWeight.Count, 11, 11), 6);
    }

    [Theory]
    [InlineData("item_graph", "transition")]
    [InlineData("item_graph", "top_k")]
    [InlineData("edge_weight", "count")]
    [InlineData("user_vector", "causal")]
    public void Each_graph_switch_changes_the_scores_and_trains_every_parameter(string key, string value)
    {
        var tables = TinyTables.Create();
        using var plain = Create(tables, Config());
        var extra = With(key, value);
        if (value == "top_k") extra["item_graph_top_k"] = "1";
        using var switched = Create(tables, Config(extra: extra));
        // The causal vector equals the literal one at the last slot of a scoring input, so it changes training, not validation scores.
        if (key == "user_vector")
        {
            using var scope = NewDisposeScope();
            plain.train();
            switched.train();
            Assert.NotEqual(plain.Loss(Batch(tables)).item<float>(), switched.Loss(Batch(tables)).item<float>());
        }
        else Assert.NotEqual(ValidScores(plain, tables), ValidScores(switched, tables));
        AssertGradientsReachEveryTrainableParameter(switched, tables);
    }

    [Fact]
    public void Bad_graph_settings_name_their_key()
    {
        Assert.Contains("item_graph_top_k", Assert.Throws<ArgumentException>(() => CrossDomain.Trainer.Models.ModelCatalog.Options<SemaCdrOptions>(Config(extra: With("item_graph_top_k", "0")))).Message);
        Assert.Contains("item_graph", Assert.Throws<ArgumentException>(() => CrossDomain.Trainer.Models.ModelCatalog.Options<SemaCdrOptions>(Config("SimpGraph", With("item_graph", "top_k")))).Message);
        Assert.Contains("user_vector", Assert.Throws<ArgumentException>(() => CrossDomain.Trainer.Models.ModelCatalog.Options<SemaCdrOptions>(Config(extra: With("user_vector", "future")))).Message);
    }
}
