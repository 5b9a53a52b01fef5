using CrossDomain.Trainer.Models.PiNet;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Tests.Trainer;

/// <summary>π-Net's reads across domains (PiNet.py's pos_A / pos_B) on a hand-made merged sequence.</summary>
public sealed class PiNetTests
{
    private static bool InY(int item) => item > 5; // items 1..5 are X (source), 6.. Y (target)

    [Fact]
    public void Each_source_item_reads_the_latest_earlier_target_item_and_each_slot_the_latest_source_item_before_its_prediction()
    {
        // x1 y6 x2 x3 y7 y8: Y inputs y6 y7 (y8 only a positive); X items x1 x2 x3.
        var inp = PiNetInputs.ForTraining([[1, 6, 2, 3, 7, 8]], InY, 10, new NegativeSampler([6, 7, 8, 9, 10], new Random(1)));
        Assert.Equal([6L, 7], inp.Target.Items);
        Assert.Equal([1L, 2, 3], inp.Source.Items);
        // x1 has no earlier Y item; x2 and x3 read y6 (slot 0).
        Assert.Equal([-1L, 0, 0], inp.SourceReads);
        // y6 predicts y7 (after x3: source slot 2); y7 predicts y8 (still x3).
        Assert.Equal([0L, 0], inp.Owner);
        Assert.Equal([0L, 1], inp.TargetSlot);
        Assert.Equal([2L, 2], inp.SourceSlot);
        Assert.Equal([7L, 8], inp.Positives);
        Assert.All(inp.Negatives, n => Assert.DoesNotContain(n, new long[] { 6, 7, 8 }));
    }

    [Fact]
    public void Scoring_reads_the_last_items_and_a_user_without_target_items_reads_none()
    {
        var inp = PiNetInputs.ForScoring([[6, 1, 7, 2], [1, 2]], InY, 10);
        Assert.Equal([0L, 1], inp.Owner);
        Assert.Equal([1L, -1], inp.TargetSlot); // y7; the second user has no Y item
        Assert.Equal([1L, 1], inp.SourceSlot);  // x2 for both
        Assert.Equal([0L, 1, -1, -1], inp.SourceReads); // x1 reads y6, x2 reads y7; the second user's X items read nothing
    }
}
