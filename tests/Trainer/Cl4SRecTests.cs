using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Models.Cl4SRec;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>CL4SRec's augmentations on a hand-made sequence, and its contrastive term's part in the loss.</summary>
[Collection("torch")]
public sealed class Cl4SRecTests
{
    private static readonly int[] Sequence = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
    private readonly SequenceAugmentations _augment = new(crop: 0.6, mask: 0.3, reorder: 0.6, maskToken: 99);

    [Fact]
    public void Crop_keeps_a_run_of_six_of_ten_items()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var view = _augment.Crop(Sequence, new Random(seed));
            Assert.Equal(6, view.Length);
            var begin = Array.IndexOf(Sequence, view[0]);
            Assert.Equal(Sequence[begin..(begin + 6)], view);
        }
    }

    [Fact]
    public void Mask_replaces_three_distinct_positions_and_keeps_the_rest_in_place()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var view = _augment.Mask(Sequence, new Random(seed));
            Assert.Equal(10, view.Length);
            Assert.Equal(3, view.Count(i => i == 99));
            for (int k = 0; k < 10; k++) Assert.True(view[k] == 99 || view[k] == Sequence[k]);
        }
    }

    [Fact]
    public void Reorder_shuffles_six_consecutive_items_only()
    {
        var changed = false;
        for (int seed = 0; seed < 20; seed++)
        {
            var view = _augment.Reorder(Sequence, new Random(seed));
            Assert.Equal(Sequence.Order(), view.Order());
            var moved = Enumerable.Range(0, 10).Where(k => view[k] != Sequence[k]).ToList();
            if (moved.Count > 0) Assert.True(moved[^1] - moved[0] < 6, $"seed {seed}: moved positions {string.Join(",", moved)}");
            changed |= moved.Count > 0;
        }
        Assert.True(changed);
    }

    [Fact]
    public void A_pair_applies_two_different_augmentations_and_leaves_a_single_item_alone()
    {
        static string Kind(int[] v) => v.Length == 6 ? "crop" : v.Contains(99) ? "mask" : "reorder";
        for (int seed = 0; seed < 30; seed++)
        {
            var (a, b) = _augment.Pair(Sequence, new Random(seed));
            // A reorder may leave the order unchanged, but it never shortens or masks: the kinds are told apart.
            Assert.NotEqual(Kind(a), Kind(b));
        }
        var (x, y) = _augment.Pair([7], new Random(1));
        Assert.Equal([7], x);
        Assert.Equal([7], y);
    }

    [Fact]
    public void Its_loss_is_the_sequence_objective_plus_the_weighted_contrast_of_the_views()
    {
        TorchNativeLoader.EnsureLoaded();
        var tables = TinyTables.Create();
        float Loss(double weight)
        {
            manual_seed(3);
            using var m = ModelCatalog.Create("cl4srec", tables, new TrainingConfig
            {
                Model = "cl4srec", Hidden = 8, Dropout = 0, MaxLength = 5,
                ModelParams = new Dictionary<string, string> { ["contrastive_weight"] = weight.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            });
            m.train();
            using var loss = m.Loss(TestBatches.Of(tables));
            return loss.item<float>();
        }
        var (none, one, two) = (Loss(0), Loss(1), Loss(2));
        Assert.True(one > none, $"with the contrast {one}, without {none}");
        Assert.Equal(one - none, (two - none) / 2, 1e-3f); // λ scales the same contrastive term
    }
}
