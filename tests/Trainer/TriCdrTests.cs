using CrossDomain.Trainer.Models.TriCdr;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>Tri-CDR's inputs (utils.py's sequences and get_mask_matrix) on hand-made sequences, and its vectorised attention.</summary>
[Collection("torch")]
public sealed class TriCdrTests
{
    private static bool InY(int item) => item > 5; // items 1..5 are X, 6.. Y

    private static bool[] Row(bool[] mask, int row, int width) => mask[(row * width)..((row + 1) * width)];

    [Fact]
    public void Each_training_slot_sees_what_came_before_the_item_it_predicts_and_nothing_after()
    {
        // User 0: x1 y6 x2 y7 x3 y8. Y slots: y6 predicts y7, y7 predicts y8 (the last Y item: a positive only, so x3 and
        // y8 are cut from the windows). User 1: y6 y9, no X item: one slot, y6 predicts y9.
        var inp = TriCdrInputs.ForTraining([[1, 6, 2, 7, 3, 8], [6, 9]], InY, 6, new NegativeSampler([6, 7, 8, 9, 10, 11], new Random(1)));
        Assert.Equal([6L, 7, 0, 6], inp.Target.Items);
        Assert.Equal([1L, 2, 3, 0, 0, 0], inp.Source.Items);
        Assert.Equal([1L, 6, 2, 7, 3, 0, 0, 0, 0, 6], inp.Mixed.Items);
        // One query row per real slot: user 0's two, user 1's one (its padded slot is left out).
        Assert.Equal([0L, 0, 1], inp.Owner);
        Assert.Equal([0L, 1, 1], inp.Column);
        Assert.Equal([7L, 8, 9], inp.Positives);
        Assert.Equal([1L, 2], inp.LastRows);
        // y6 → y7 (merged position 3): x1 y6 x2 and the X items x1, x2; y7 → y8: everything kept.
        Assert.Equal([true, true, true, false, false], Row(inp.MixedVisible, 0, 5));
        Assert.Equal([true, true, false], Row(inp.SourceVisible, 0, 3));
        Assert.Equal([true, false], Row(inp.TargetVisible, 0, 2));
        Assert.Equal([true, true, true, true, true], Row(inp.MixedVisible, 1, 5));
        Assert.Equal([true, true, true], Row(inp.SourceVisible, 1, 3));
        Assert.Equal([true, true], Row(inp.TargetVisible, 1, 2));
        // User 1's slot sees y6 and no X item.
        Assert.Equal([false, false, false, false, true], Row(inp.MixedVisible, 2, 5));
        Assert.Equal(new bool[3], Row(inp.SourceVisible, 2, 3));
        Assert.Equal([false, true], Row(inp.TargetVisible, 2, 2));
        // Negatives: Y items outside the user's Y training items.
        Assert.DoesNotContain(inp.Negatives[0], new long[] { 6, 7, 8 });
        Assert.DoesNotContain(inp.Negatives[1], new long[] { 6, 7, 8 });
        Assert.DoesNotContain(inp.Negatives[2], new long[] { 6, 9 });
        Assert.All(inp.Negatives, n => Assert.InRange(n, 6, 11));
    }

    [Fact]
    public void Scoring_queries_the_last_item_of_the_role_domain_over_the_whole_input()
    {
        // As domain Y's tower: Y items y6 y7 are the target sequence, x1 x2 the source; as domain X's: the other way round.
        var y = TriCdrInputs.ForScoring([[1, 6, 2, 7]], InY, 6);
        Assert.Equal([0L], y.Owner);
        Assert.Equal([1L], y.Column);
        Assert.Equal([6L, 7], y.Target.Items);
        Assert.Equal([1L, 2], y.Source.Items);
        Assert.All(y.MixedVisible.Concat(y.SourceVisible).Concat(y.TargetVisible), Assert.True);
        var x = TriCdrInputs.ForScoring([[1, 6, 2, 7]], i => !InY(i), 6);
        Assert.Equal([1L, 2], x.Target.Items);
        Assert.Equal([6L, 7], x.Source.Items);
        // Windows keep the most recent max_len items of each sequence.
        var cut = TriCdrInputs.ForScoring([[1, 6, 2, 7, 3, 8]], InY, 2);
        Assert.Equal([7L, 8], cut.Target.Items);
        Assert.Equal([2L, 3], cut.Source.Items);
        Assert.Equal([3L, 8], cut.Mixed.Items);
    }

    [Fact]
    public void The_attention_by_weight_blocks_equals_the_reference_mlp_over_the_concatenation()
    {
        TorchNativeLoader.EnsureLoaded();
        manual_seed(7);
        using var attention = new DinAttention(4);
        var parameters = attention.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var query = randn(6, 4);
        var facts = randn(6, 5, 4);
        var context = randn(6, 4);
        var visible = rand(6, 5).gt(0.3);
        visible[5] = zeros(5, dtype: ScalarType.Bool); // a row that sees nothing

        using var noGrad = no_grad();
        var actual = attention.forward(query, facts, visible, context);

        // model.py: MLP([f, q, f*q, q-f, c]) per key, masked softmax, weighted sum.
        var q = query.unsqueeze(1).expand(6, 5, 4);
        var c = context.unsqueeze(1).expand(6, 5, 4);
        var x = cat([facts, q, facts * q, q - facts, c], -1);
        Tensor PRelu(Tensor t, Tensor a) => where(t.ge(0), t, t * a);
        var h = PRelu(nn.functional.linear(x, parameters["_first.weight"], parameters["_first.bias"]), parameters["_firstActivation.weight"]);
        h = PRelu(nn.functional.linear(h, parameters["_second.weight"], parameters["_second.bias"]), parameters["_secondActivation.weight"]);
        var scores = nn.functional.linear(h, parameters["_score.weight"], parameters["_score.bias"]).squeeze(-1);
        var weights = scores.masked_fill(visible.logical_not(), float.NegativeInfinity).softmax(-1).nan_to_num(0);
        var expected = weights.unsqueeze(1).bmm(facts).squeeze(1);

        Assert.True(allclose(actual, expected, rtol: 1e-4, atol: 1e-5), $"max difference {(actual - expected).abs().max().item<float>()}");
        Assert.Equal(0f, actual[5].abs().sum().item<float>());
    }

    private static TrainingConfig Pretraining(int pretrain, int epochs)
    {
        TorchNativeLoader.EnsureLoaded();
        return new()
        {
        Model = "tricdr", Hidden = 8, Heads = 1, Blocks = 1, Dropout = 0, MaxLength = 10, BatchSize = 16, LearningRate = 1e-2,
        Epochs = epochs, Patience = 50, Seeds = [1], Device = "cpu",
            ModelParams = new Dictionary<string, string> { ["pretrain_epochs"] = pretrain.ToString() },
        };
    }

    [Fact]
    public void Pretraining_trains_the_three_encoders_as_sasrec_and_leaves_the_fusion_alone()
    {
        var tables = CycleTables.Create(users: 16, seed: 1);
        using var model = CrossDomain.Trainer.Models.ModelCatalog.Create("tricdr", tables, Pretraining(2, 4));
        Assert.Equal(2, model.PretrainEpochs);
        var batch = TestBatches.Of(tables);
        var pretrain = new TrainingBatch { Users = batch.Users, TargetNegatives = batch.TargetNegatives, SourceNegatives = batch.SourceNegatives, Random = batch.Random, Device = batch.Device, Epoch = 1 };
        model.Loss(pretrain).backward();
        var touched = model.named_parameters().Where(p => p.parameter.grad is not null).Select(p => p.name).ToList();
        foreach (var part in new[] { "_mixItems", "_sourceItems", "_targetItems", "_mixEncoder", "_sourceEncoder", "_targetEncoder" })
            Assert.Contains(touched, n => n.Contains(part));
        foreach (var part in new[] { "_tower._fuse", "_tower._attention.", "_tower._projectMix" })
            Assert.DoesNotContain(touched, n => n.Contains(part));
        // The reference's schedule starts after pretraining: full rate through it, then 0.99 per epoch.
        Assert.Equal([1, 1, 1, 0.99], Enumerable.Range(1, 4).Select(e => Math.Round(model.LearningRateFactor([], e), 6)));
    }

    [Fact]
    public void Pretraining_epochs_are_never_validated_or_selected_and_must_leave_epochs_to_train()
    {
        var tables = CycleTables.Create(users: 16, seed: 1);
        using var dir = new CrossDomain.Tests.Support.TempDir();
        var result = new TrainingRun(tables, Pretraining(2, 4), dir.Path).Run(seed => CrossDomain.Trainer.Evaluation.SampledNegatives.Draw(tables, 3, seed));
        var history = result.Seeds[0].History;
        Assert.Equal([false, false, true, true], history.Select(h => h.ValidationSampled is not null));
        Assert.True(result.Seeds[0].BestEpoch >= 3);

        using var dir2 = new CrossDomain.Tests.Support.TempDir();
        var e = Assert.ThrowsAny<Exception>(() => new TrainingRun(tables, Pretraining(4, 4), dir2.Path).Run(seed => CrossDomain.Trainer.Evaluation.SampledNegatives.Draw(tables, 3, seed)));
        Assert.Contains("pretrain", e.Message);
    }
}
