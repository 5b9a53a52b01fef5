using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>SASRec's reference switches: block layout, padding mask, item table; each changes what it says and nothing else.</summary>
[Collection("torch")]
public sealed class SasRecVariantsTests
{
    private static TrainingConfig Config(params (string Key, string Value)[] switches) => new()
    {
        Model = "sasrec", Hidden = 8, Heads = 1, Blocks = 2, Dropout = 0.0, MaxLength = 6,
        ModelParams = switches.ToDictionary(s => s.Key, s => s.Value),
    };

    private static SasRec Create(FeatureTables tables, TrainingConfig config)
    {
        TorchNativeLoader.EnsureLoaded();
        manual_seed(3);
        return (SasRec)ModelCatalog.Create("sasrec", tables, config);
    }

    private static float[] Scores(SasRec model, IReadOnlyList<FeatureTables.UserRow> users)
    {
        model.eval();
        using var noGrad = no_grad();
        using var s = model.Score(users, EvalSplit.Test, CPU);
        return s.data<float>().ToArray();
    }

    [Fact]
    public void A_target_only_item_table_has_one_row_per_target_item_and_scores_in_global_columns()
    {
        var tables = TinyTables.Create();
        using var all = Create(tables, Config());
        using var target = Create(tables, Config(("item_table", "target")));
        Assert.Equal(tables.ItemCount + 1, all.ItemEmbeddings.shape[0]);
        Assert.Equal(tables.TargetItems.Length + 1, target.ItemEmbeddings.shape[0]);
        long Count(SasRec m) => m.parameters().Sum(p => p.numel());
        Assert.Equal((tables.ItemCount - tables.TargetItems.Length) * 8, Count(all) - Count(target));
        var scores = Scores(target, tables.Users);
        Assert.Equal(tables.Users.Count * (tables.ItemCount + 1), scores.Length);
        // Target column g is the dot product with row (position of g among the target items) + 1.
        target.eval();
        using var noGrad = no_grad();
        var h = target.Encode(PaddedSequences.From([RecommenderModel.TargetInput(tables.Users[0], EvalSplit.Test)], 6, Padding.Left), CPU)[0, -1];
        var row = Array.IndexOf(tables.TargetItems, 9) + 1;
        Assert.Equal((h * target.ItemEmbeddings[row]).sum().item<float>(), scores[9], 4);
    }

    [Fact]
    public void Post_norm_blocks_end_in_a_layer_norm_and_the_2018_and_pre_blocks_do_not()
    {
        TorchNativeLoader.EnsureLoaded();
        manual_seed(5);
        using var x = randn(2, 4, 8) * 3 + 1;
        using var forbidden = AttentionMask.FutureOnly(ones(2, 4, dtype: ScalarType.Bool));
        foreach (var norm in new[] { BlockNorm.Post, BlockNorm.Pre, BlockNorm.Pre2018 })
        {
            using var block = new TransformerBlock(8, 1, 0.0, norm);
            block.eval();
            using var noGrad = no_grad();
            using var y = block.forward(x, x, forbidden);
            var std = y.std(-1, unbiased: false).mean().item<float>();
            if (norm == BlockNorm.Post) Assert.Equal(1.0, std, 2); // LN(x + FFN(x)) at initialisation: unit scale per position
            else Assert.True(Math.Abs(std - 1) > 0.05, $"{norm}: std {std}");
        }
    }

    [Fact]
    public void Without_the_padding_mask_a_users_scores_depend_on_the_padding_a_batch_adds_and_with_it_they_do_not()
    {
        var tables = TinyTables.Create();
        var shortUser = tables.Users[1];   // 2 target items + validation
        var longUser = tables.Users[2];    // 4 target items + validation: more padding for the short one
        foreach (var (padMask, independent) in new[] { ("true", true), ("false", false) })
        {
            using var model = Create(tables, Config(("pad_mask", padMask), ("norm", "post")));
            var alone = Scores(model, [shortUser]);
            var inBatch = Scores(model, [shortUser, longUser]).Take(alone.Length).ToArray();
            var maxDiff = alone.Zip(inBatch, (a, b) => Math.Abs(a - b)).Max();
            if (independent) Assert.True(maxDiff < 1e-4, $"pad_mask {padMask}: {maxDiff}");
            else Assert.True(maxDiff > 1e-4, $"pad_mask {padMask}: scores did not change ({maxDiff})");
        }
    }

    [Fact]
    public void Unknown_or_bad_switches_name_their_key()
    {
        var tables = TinyTables.Create();
        Assert.Contains("model_params.colour", Assert.Throws<ArgumentException>(() => Create(tables, Config(("colour", "red")))).Message);
        Assert.Contains("model_params.norm", Assert.Throws<ArgumentException>(() => Create(tables, Config(("norm", "sideways")))).Message);
        Assert.Contains("model_params.pad_mask", Assert.Throws<ArgumentException>(() => Create(tables, Config(("pad_mask", "maybe")))).Message);
    }
}
