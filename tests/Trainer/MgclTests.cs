using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Models.Mgcl;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>MGCL's causal user sequence graph, hand-checked, and its two views' paths to the score.</summary>
[Collection("torch")]
public sealed class MgclTests
{
    private static PaddedSequences Window(params int[][] sequences) => PaddedSequences.From(sequences, 6, Padding.Left);

    [Fact]
    public void Each_element_reads_the_predecessors_of_its_item_over_the_transitions_seen_so_far()
    {
        // Row 0, [0 0 5 6 5 7] (left-padded): 6 follows 5 (position 2); the second 5 follows 6 (position 3), the first
        // 5 has no predecessor; 7 follows 5 (position 4).
        // Row 1, [1 2 1 2 3 1]: the second 2 has had two transitions into 2 by then (from positions 0 and 2), half each;
        // the last 1 two transitions into 1 (from 1 and 4).
        var m = SequenceGraph.InNeighbours(Window([5, 6, 5, 7], [1, 2, 1, 2, 3, 1]));
        float At(int row, int k, int j) => m[(row * 6 + k) * 6 + j];
        Assert.Equal(1f, At(0, 3, 2));
        Assert.Equal(1f, At(0, 4, 3));
        Assert.Equal(1f, At(0, 5, 4));
        Assert.Equal(1f, At(1, 1, 0));
        Assert.Equal(1f, At(1, 2, 1));
        Assert.Equal(0.5f, At(1, 3, 0));
        Assert.Equal(0.5f, At(1, 3, 2));
        Assert.Equal(1f, At(1, 4, 3));
        Assert.Equal(0.5f, At(1, 5, 1));
        Assert.Equal(0.5f, At(1, 5, 4));
        Assert.Equal(10, m.Count(v => v != 0));
        for (int row = 0; row < 2; row++)
            for (int k = 0; k < 6; k++)
                for (int j = k; j < 6; j++)
                    Assert.Equal(0f, At(row, k, j)); // strictly causal
    }

    [Fact]
    public void Source_items_reach_the_score_through_the_merged_sequence_and_the_global_graph()
    {
        TorchNativeLoader.EnsureLoaded();
        manual_seed(4);
        var tables = TinyTables.Create();
        using var model = ModelCatalog.Create("mgcl", tables, new TrainingConfig { Model = "mgcl", Hidden = 8, Dropout = 0, MaxLength = 6 });
        model.eval();
        float[] Scores(CrossDomain.Trainer.Data.FeatureTables.UserRow u)
        {
            using var noGrad = no_grad();
            return model.Score([u], EvalSplit.Test, CPU).data<float>().ToArray();
        }
        var user = TinyTables.User(0, [1, 2], [6, 7, 8], 9, 10);
        Assert.NotEqual(Scores(user), Scores(TinyTables.User(0, [3, 4], [6, 7, 8], 9, 10)));
        // The global graph is built from training interactions only: a user's validation and test items are no edge.
        var graph = CrossDomain.Trainer.Models.SemaCdr.InteractionGraphs.Build(tables, CrossDomain.Trainer.Models.SemaCdr.GraphKind.Full);
        Assert.DoesNotContain(graph.UserItemEdges, e => e.User == 0 && (e.Item == 9 || e.Item == 10));
        Assert.Contains(graph.UserItemEdges, e => e.User == 0 && e.Item == 1);
    }
}
