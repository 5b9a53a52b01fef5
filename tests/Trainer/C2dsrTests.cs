using CrossDomain.Trainer.Models.C2dsr;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>C2DSR's inputs (loader.py) and item graphs (GraphMaker.py) on hand-made sequences.</summary>
[Collection("torch")]
public sealed class C2dsrTests
{
    private static bool IsSource(int item) => item <= 5; // items 1..5 are X (source), 6.. Y (target)

    [Fact]
    public void Training_inputs_give_each_domain_item_the_next_item_of_its_domain_and_drop_a_last_item_with_nothing_to_predict()
    {
        // s = x1 y6 x2 y7 x3: input x1 y6 x2 y7, next items y6 x2 y7 x3.
        var inp = C2dsrInputs.ForTraining([[1, 6, 2, 7, 3]], 5, IsSource, [1, 2, 3, 4, 5], [6, 7, 8], new Random(1));
        Assert.Equal([0L, 1, 6, 2, 7], inp.Mixed);
        Assert.Equal([0L, 1, 2, 3, 4], inp.Positions);
        Assert.Equal([0L, 6, 2, 7, 3], inp.Next);
        // X: x1 predicts x2, x2 predicts the final x3.
        Assert.Equal([0L, 1, 0, 2, 0], inp.SourceSeq);
        Assert.Equal([0L, 1, 0, 2, 0], inp.SourcePositions);
        Assert.Equal([0L, 2, 0, 3, 0], inp.NextSource);
        // Y: y6 predicts y7; y7, the last Y item, has no later Y item (the final target is x3): dropped from the Y sequence.
        Assert.Equal([0L, 0, 6, 0, 0], inp.TargetSeq);
        Assert.Equal([0L, 0, 1, 0, 0], inp.TargetPositions);
        Assert.Equal([0L, 0, 7, 0, 0], inp.NextTarget);
        // Corruptions keep one domain's items and replace the other's with random items of that domain.
        Assert.Equal([0L, 1, 0, 2, 0], inp.CorruptTarget.Select((i, k) => inp.Mixed[k] is > 0 and <= 5 ? i : 0));
        Assert.All(inp.CorruptTarget.Where((_, k) => inp.Mixed[k] > 5), i => Assert.InRange(i, 6, 8));
        Assert.All(inp.CorruptSource.Where((_, k) => inp.Mixed[k] is > 0 and <= 5), i => Assert.InRange(i, 1, 5));
        Assert.False(C2dsrInputs.Trainable([1, 2, 3], IsSource)); // no next item of domain Y: skipped, as loader.py does
    }

    [Fact]
    public void Scoring_inputs_hold_each_domains_items_in_place_numbered_from_one()
    {
        var inp = C2dsrInputs.ForScoring([[1, 6, 2, 7, 8]], 6, IsSource);
        Assert.Equal([0L, 1, 6, 2, 7, 8], inp.Mixed);
        Assert.Equal([0L, 1, 0, 2, 0, 0], inp.SourcePositions);
        Assert.Equal([0L, 0, 1, 0, 2, 3], inp.TargetPositions);
    }

    [Fact]
    public void Graphs_link_consecutive_items_counted_and_row_normalised_from_training_sequences_only()
    {
        CrossDomain.Trainer.Torch.TorchNativeLoader.EnsureLoaded();
        // Cross: 1→6, 6→1, 1→7 (row 1 halves); single-domain: 1→1 (X), 6→7 (Y).
        var graphs = new C2dsrGraphs([[1, 6, 1, 7]], IsSource, 9);
        Assert.Equal((3, 2), (graphs.CrossEdges, graphs.SingleEdges));
        var (cross, single) = graphs.On(CPU);
        using var identity = eye(9);
        var a = cross.Multiply(identity);
        Assert.Equal(0.5f, a[1, 6].item<float>());
        Assert.Equal(0.5f, a[1, 7].item<float>());
        Assert.Equal(1f, a[6, 1].item<float>());
        var s = single.Multiply(identity);
        Assert.Equal(1f, s[1, 1].item<float>());
        Assert.Equal(1f, s[6, 7].item<float>());
        Assert.Equal(0f, s[1, 6].item<float>());
    }
}

/// <summary>A batch in which no sequence can train (C2DSR's loader drops them) is skipped, not a crash.</summary>
[Collection("torch")]
public sealed class C2dsrEmptyBatchTests
{
    [Fact]
    public void A_batch_with_no_trainable_sequence_takes_no_step_and_training_goes_on()
    {
        CrossDomain.Trainer.Torch.TorchNativeLoader.EnsureLoaded();
        // TinyTables' user 1 has one source item: nothing for C2DSR's X heads to predict, so its batch of one is empty.
        var tables = TinyTables.Create();
        using var dir = new CrossDomain.Tests.Support.TempDir();
        var config = new CrossDomain.Trainer.Training.TrainingConfig
        {
            Model = "c2dsr", Hidden = 8, Heads = 1, Blocks = 1, MaxLength = 5, BatchSize = 1, Epochs = 1, Seeds = [1], Device = "cpu",
        };
        var result = new CrossDomain.Trainer.Training.TrainingRun(tables, config, dir.Path)
            .Run(seed => CrossDomain.Trainer.Evaluation.SampledNegatives.Draw(tables, 3, seed));
        Assert.Equal(1, result.Seeds[0].Epochs);
    }
}
