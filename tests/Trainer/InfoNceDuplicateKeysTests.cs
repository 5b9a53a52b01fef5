using CrossDomain.Trainer.Models.SemaCdr;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>Eq. 3's InfoNCE with items whose keys are identical (the same label set): negatives, masked or positives.</summary>
[Collection("torch")]
public sealed class InfoNceDuplicateKeysTests
{
    // Unit vectors, τ = 1: s(q_i, k_j) = q_i · k_j. Rows 0 and 1 share their key (group 0); row 2 has its own.
    private static readonly float[,] Queries = { { 1, 0 }, { 0, 1 }, { 0.6f, 0.8f } };
    private static readonly float[,] Keys = { { 1, 0 }, { 1, 0 }, { 0, 1 } };
    private static readonly long[] Groups = [0, 0, 1];

    private static double Loss(DuplicateKeys mode, long[]? groups = null)
    {
        TorchNativeLoader.EnsureLoaded();
        using var scope = NewDisposeScope();
        return InfoNce.Loss(tensor(Queries), tensor(Keys), 1.0, groups ?? Groups, mode).item<float>();
    }

    private static double LogSumExp(params double[] x) => Math.Log(x.Sum(Math.Exp));

    // s rows: q0 → (1, 1, 0); q1 → (0, 0, 1); q2 → (0.6, 0.6, 0.8).
    [Fact]
    public void Read_literally_an_identical_key_is_a_negative()
    {
        var expected = ((LogSumExp(1, 1, 0) - 1) + (LogSumExp(0, 0, 1) - 0) + (LogSumExp(0.6, 0.6, 0.8) - 0.8)) / 3;
        Assert.Equal(expected, Loss(DuplicateKeys.Negatives), 5);
        Assert.Equal(expected, Loss(DuplicateKeys.Masked, groups: [0, 1, 2]), 5); // no duplicates: every mode is Eq. 3
    }

    [Fact]
    public void Masked_leaves_an_identical_key_out_of_the_denominator()
    {
        var expected = ((LogSumExp(1, 0) - 1) + (LogSumExp(0, 1) - 0) + (LogSumExp(0.6, 0.6, 0.8) - 0.8)) / 3;
        Assert.Equal(expected, Loss(DuplicateKeys.Masked), 5);
    }

    [Fact]
    public void Positives_count_every_identical_key_in_the_numerator()
    {
        var expected = ((LogSumExp(1, 1, 0) - LogSumExp(1, 1)) + (LogSumExp(0, 0, 1) - LogSumExp(0, 0)) + (LogSumExp(0.6, 0.6, 0.8) - 0.8)) / 3;
        Assert.Equal(expected, Loss(DuplicateKeys.Positives), 5);
    }

    [Fact]
    public void Items_with_the_same_labels_share_a_key_group_and_unlabelled_items_have_none()
    {
        // TinyTables: item i carries labels i % 3 and 3 + i % 2, so items 1 and 7 carry the same set, item 2 another.
        var views = new ItemViews(TinyTables.Create(), 8, CrossDomain.Trainer.Models.ModelCatalog.Options<SemaCdrOptions>(new TrainingConfig { Model = "semacdr" }));
        Assert.Equal(views.KeyGroup[1], views.KeyGroup[7]);
        Assert.NotEqual(views.KeyGroup[1], views.KeyGroup[2]);
        Assert.Equal(-1, views.KeyGroup[0]);
        Assert.Equal(6, views.KeyGroup.Where(g => g >= 0).Distinct().Count());
    }

    [Fact]
    public void The_switch_is_read_from_model_params_and_checked()
    {
        var config = new TrainingConfig { Model = "semacdr", ModelParams = new Dictionary<string, string> { ["contrastive_duplicates"] = "masked" } };
        Assert.Equal(DuplicateKeys.Masked, CrossDomain.Trainer.Models.ModelCatalog.Options<SemaCdrOptions>(config).ContrastiveDuplicates);
        Assert.Equal(DuplicateKeys.Negatives, CrossDomain.Trainer.Models.ModelCatalog.Options<SemaCdrOptions>(new TrainingConfig { Model = "semacdr" }).ContrastiveDuplicates);
        var bad = new TrainingConfig { Model = "semacdr", ModelParams = new Dictionary<string, string> { ["contrastive_duplicates"] = "ignore" } };
        Assert.Contains("model_params.contrastive_duplicates", Assert.Throws<ArgumentException>(() => CrossDomain.Trainer.Models.ModelCatalog.Options<SemaCdrOptions>(bad)).Message);
    }
}
