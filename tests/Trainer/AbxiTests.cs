using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Models.Abxi;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Tests.Trainer;

/// <summary>ABXI's inputs by hand (task-guided alignment, the three scoring inputs) and its protocol requirement.</summary>
public sealed class AbxiTests
{
    private static bool InA(int item) => item <= 5; // items 1..5 are domain A (source), 6.. domain B (target)

    [Fact]
    public void Task_guided_alignment_places_each_domains_latest_item_at_the_positions_that_predict_that_domain()
    {
        // s = a1 b6 a2 b7 a3: x = a1 b6 a2 b7, targets b6 a2 b7 a3.
        var seq = AlignedSequences.ForTraining([[1, 6, 2, 7, 3]], 6, InA);
        Assert.Equal([0L, 1, 6, 2, 7], seq.Mixed[1..]);
        Assert.Equal([0L, 6, 2, 7, 3], seq.Targets[1..]);
        // Predicting a2 (slot 2) the A sequence ends with a1; predicting a3 (slot 4) with a2.
        Assert.Equal([0L, 0, 1, 0, 2], seq.DomainA[1..]);
        // Predicting b7 (slot 3) the B sequence ends with b6; the first B target b6 has no earlier B item: padding.
        Assert.Equal([0L, 0, 0, 6, 0], seq.DomainB[1..]);
        Assert.Equal(0L, seq.Mixed[0]); // left padding to the fixed length
    }

    [Fact]
    public void A_sequence_starting_in_domain_B_drops_the_first_A_target_instead()
    {
        // s = b6 b7 a1 a2 b8: targets b7 a1 a2 b8; a1 has no earlier A item, b7 has b6.
        var seq = AlignedSequences.ForTraining([[6, 7, 1, 2, 8]], 4, InA);
        Assert.Equal([0L, 0, 1, 0], seq.DomainA);
        Assert.Equal([6L, 0, 0, 7], seq.DomainB);
    }

    [Fact]
    public void Scoring_inputs_reference_in_place_and_aligned_differ_only_in_the_domain_branches()
    {
        int[] x = [1, 6, 2, 7];
        var reference = AlignedSequences.ForScoring([x], 4, InA, AbxiScoringInputs.Reference, 1, 6);
        Assert.Equal([1L, 6, 2, 7], reference.DomainA);  // the whole merged input (the reference's | where & was meant)
        Assert.Equal([0L, 6, 0, 7], reference.DomainB);
        var inPlace = AlignedSequences.ForScoring([x], 4, InA, AbxiScoringInputs.InPlace, 1, 6);
        Assert.Equal([1L, 0, 2, 0], inPlace.DomainA);
        var aligned = AlignedSequences.ForScoring([x], 4, InA, AbxiScoringInputs.Aligned, 1, 6);
        // As training would place them if the next target were in A (then in B): the last slot holds the domain's latest item.
        Assert.Equal([0L, 1, 0, 2], aligned.DomainA);
        Assert.Equal([0L, 0, 6, 7], aligned.DomainB);
        Assert.Equal([1L, 6, 2, 7], aligned.Mixed);
    }

    [Fact]
    public void Its_learning_rate_warms_up_for_one_epoch_and_drops_after_more_than_30_validations_without_a_better_one()
    {
        CrossDomain.Trainer.Torch.TorchNativeLoader.EnsureLoaded();
        using var m = ModelCatalog.Create("abxi", MixedTables.Create(), new TrainingConfig { Model = "abxi", Hidden = 8, Blocks = 1, MaxLength = 5 });
        var valid = new Dictionary<string, double> { ["MRR"] = 0.1 };
        List<EpochLog> History(int epochs, int best) => [.. Enumerable.Range(1, epochs).Select(e => new EpochLog(1, e, 0, 0, valid, valid, e == best))];
        Assert.Equal(1e-5, m.LearningRateFactor([], 1), 12);
        Assert.Equal(1, m.LearningRateFactor(History(1, 1), 2));
        // Best at epoch 2, then epochs 3..32 are 30 bad validations: not yet more than the patience.
        Assert.Equal(1, m.LearningRateFactor(History(32, 2), 33));
        Assert.Equal(0.3162, m.LearningRateFactor(History(33, 2), 34), 12);
        // The count starts again after a drop: 31 more bad validations drop it once more.
        Assert.Equal(0.3162, m.LearningRateFactor(History(63, 2), 64), 12);
        Assert.Equal(0.3162 * 0.3162, m.LearningRateFactor(History(64, 2), 65), 12);
    }

    [Fact]
    public void Under_target_loo_the_catalog_refuses_it_naming_the_protocol()
    {
        CrossDomain.Trainer.Torch.TorchNativeLoader.EnsureLoaded();
        var e = Assert.Throws<ArgumentException>(() => ModelCatalog.Create("abxi", TinyTables.Create(), new TrainingConfig { Model = "abxi", Blocks = 1 }));
        Assert.Contains("mixed_loo", e.Message);
    }
}
