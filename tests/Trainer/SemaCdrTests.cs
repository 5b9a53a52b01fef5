using CrossDomain.Tests.Support;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.SemaCdr;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>SemaCDR on hand-made tables: shapes, every ablation switch, graphs, time masks, determinism.</summary>
[Collection("torch")]
public sealed class SemaCdrTests
{
    private const long Day = 86_400;

    internal static TrainingConfig Config(string ablation = "full", Dictionary<string, string>? extra = null)
    {
        var p = new Dictionary<string, string>(extra ?? []) { ["ablation"] = ablation };
        return new TrainingConfig { Model = "semacdr", Hidden = 8, Heads = 1, Blocks = 2, Dropout = 0.0, MaxLength = 6, ModelParams = p };
    }

    internal static SemaCdr Create(FeatureTables tables, TrainingConfig config)
    {
        TorchNativeLoader.EnsureLoaded();
        manual_seed(11);
        return new SemaCdr(tables, config);
    }

    internal static TrainingBatch Batch(FeatureTables tables, int seed = 5)
    {
        var rng = new Random(seed);
        return new TrainingBatch
        {
            Users = tables.Users, TargetNegatives = new NegativeSampler(tables.TargetItems, rng), SourceNegatives = new NegativeSampler(tables.SourceItems, rng),
            Random = rng, Device = CPU, Epoch = 1,
        };
    }

    [Fact]
    public void Shapes_through_every_block()
    {
        var tables = TinyTables.Create();
        using var model = Create(tables, Config());
        using var scope = NewDisposeScope();
        Assert.Equal([13L, 8], model.ItemRepresentations(CPU).shape);
        var input = CrossDomainInput.ForTraining(tables.Users, 6, new NegativeSampler(tables.TargetItems, new Random(1)));
        Assert.Equal(4, input.Target.Batch);
        Assert.Equal(3, input.Target.Length);      // longest target input: 4 items minus the last
        Assert.Equal(3, input.Source.Length);
        Assert.Equal(6, input.Mixed.Length);       // user 2's 7 mixed items, cut to max_len
        Assert.Equal(4 * 3 * 3, input.CrossVisible.Length);
        model.train();
        var loss = model.Loss(Batch(tables));
        Assert.Empty(loss.shape);
        Assert.True(float.IsFinite(loss.item<float>()));
        model.eval();
        using (no_grad())
            Assert.Equal([4L, 13], model.Score(tables.Users, EvalSplit.Test, CPU).shape);
    }

    [Fact]
    public void Cross_attention_sees_only_source_interactions_before_the_predicted_item_and_the_mixed_state_lines_up()
    {
        // Timeline: s1 (day 1), t6 (2), s2 (3), t7 (4), s3 (4, same day as t7), t8 (6); validation t9 on day 7.
        var u = TinyTables.User(0, [1, 2, 3], [6, 7, 8], 9, 10);
        u.SourceTrainTimestamps = [1 * Day, 3 * Day, 4 * Day];
        u.TargetTrainTimestamps = [2 * Day, 4 * Day, 6 * Day];
        u.MixedTrain = [1, 6, 2, 3, 7, 8];
        u.MixedTrainDomains = [0, 1, 0, 0, 1, 1];
        u.MixedTrainTimestamps = [1 * Day, 2 * Day, 3 * Day, 4 * Day, 4 * Day, 6 * Day];
        u.ValidTimestamp = 7 * Day;
        var train = CrossDomainInput.ForTraining([u], 10, new NegativeSampler([6, 7, 8, 9, 10, 11, 12], new Random(1)));
        // Target input [6, 7] predicts [7, 8]. Slot 0 predicts 7 (day 4): sees s1, s2, not s3 (same day). Slot 1 predicts 8 (day 6): sees all.
        Assert.Equal([true, true, false, true, true, true], train.CrossVisible);
        Assert.Equal([7L, 8], train.Positives);
        // Mixed state: the element just before the predicted item: before 7 (index 4) is s3 (3); before 8 (index 5) is 7 (4).
        Assert.Equal([3L, 4], train.MixedState);
        var valid = CrossDomainInput.ForScoring([u], EvalSplit.Valid, 10);
        // Scoring: input [6, 7, 8]; the last slot predicts the validation item (day 7) and sees every source item; its mixed state is the last element.
        Assert.Equal([true, true, false, true, true, true, true, true, true], valid.CrossVisible);
        Assert.Equal([3L, 4, 5], valid.MixedState);
    }

    [Fact]
    public void Graphs_hold_training_interactions_only()
    {
        var tables = TinyTables.Create();
        var full = InteractionGraphs.Build(tables, GraphKind.Full);
        Assert.Equal(new HashSet<(int, int)> { (6, 7), (6, 8), (7, 8), (7, 9), (6, 10), (6, 11), (6, 12), (10, 11), (10, 12), (11, 12) }, full.TargetEdges);
        Assert.Equal(new HashSet<(int, int)> { (1, 2), (2, 4), (2, 5), (4, 5), (1, 5) }, full.SourceEdges);
        foreach (var u in tables.Users)
        {
            Assert.DoesNotContain((u.ValidItem, u.UserIdx), full.UserItemEdges);
            Assert.DoesNotContain((u.TestItem, u.UserIdx), full.UserItemEdges);
        }
        Assert.Equal(tables.Users.Sum(u => u.SourceTrain.Length + u.TargetTrain.Length), full.UserItemEdges.Count);
        var simple = InteractionGraphs.Build(tables, GraphKind.Simple);
        Assert.Equal(new HashSet<(int, int)> { (6, 7), (7, 8), (7, 9), (6, 10), (10, 11), (11, 12) }, simple.TargetEdges);
        Assert.Empty(simple.UserItemEdges);
    }

    [Theory]
    [InlineData("w/o InnSem", "_views._inner.")]
    [InlineData("w/o DomAgnSem", "_views._subcategories.")]
    [InlineData("w/o InnDomAgnSem", "_views._inner.")]
    [InlineData("SimpGraph", "_gcnMixed.")]
    [InlineData("w/o CDBehav", "_cross.")]
    [InlineData("w/o CDBehav", "_source.")]
    public void An_ablation_removes_its_parameters_changes_the_output_and_gradients_reach_everything_left(string ablation, string removed)
    {
        var tables = TinyTables.Create();
        using var full = Create(tables, Config());
        using var ablated = Create(tables, Config(ablation));
        Assert.Contains(full.named_parameters(), p => p.name.StartsWith(removed));
        Assert.DoesNotContain(ablated.named_parameters(), p => p.name.StartsWith(removed));
        using var scope = NewDisposeScope();
        full.eval();
        ablated.eval();
        using (no_grad())
            Assert.NotEqual(full.Score(tables.Users, EvalSplit.Test, CPU).data<float>().ToArray(), ablated.Score(tables.Users, EvalSplit.Test, CPU).data<float>().ToArray());
        AssertGradientsReachEveryTrainableParameter(ablated, tables);
    }

    [Fact]
    public void The_full_model_trains_every_parameter()
    {
        var tables = TinyTables.Create();
        using var model = Create(tables, Config());
        AssertGradientsReachEveryTrainableParameter(model, tables);
    }

    [Theory]
    [InlineData("residual")]
    [InlineData("literal")]
    public void Eq_10_as_one_attention_drops_the_blocks_norms_and_feed_forward_and_still_trains_everything(string form)
    {
        var tables = TinyTables.Create();
        using var block = Create(tables, Config());
        using var attention = Create(tables, Config(extra: new() { ["cross_attention"] = form }));
        long Count(SemaCdr m) => m.named_parameters().Where(p => p.name.StartsWith("_cross.")).Sum(p => p.parameter.numel());
        // d = 8: the block's two layer norms (2 × 2d) and its feed-forward (2 × (d² + d)) are gone; the attention (4 × (d² + d)) stays.
        Assert.Equal(4 * (8 * 8 + 8), Count(attention));
        Assert.Equal(4 * (8 * 8 + 8) + 2 * 2 * 8 + 2 * (8 * 8 + 8), Count(block));
        AssertGradientsReachEveryTrainableParameter(attention, tables);
    }

    [Fact]
    public void The_residual_form_adds_its_query_and_the_literal_form_does_not()
    {
        TorchNativeLoader.EnsureLoaded();
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var residual = new CrossAttentionFusion(8, 1, 0.0, residual: true);
        manual_seed(2);
        using var literal = new CrossAttentionFusion(8, 1, 0.0, residual: false);
        var target = randn(2, 3, 8);
        var source = randn(2, 4, 8);
        var forbidden = zeros(2, 1, 3, 4, dtype: ScalarType.Bool);
        forbidden[0, 0, 0] = tensor(true); // the first target position of user 0 sees no source item
        var r = residual.forward(target, source, forbidden);
        var l = literal.forward(target, source, forbidden);
        Assert.True((r - l - target).abs().max().item<float>() < 1e-5);
        // With every source item forbidden the literal form returns the same vector whatever the target state.
        var blind = ones(2, 1, 3, 4, dtype: ScalarType.Bool);
        var a = literal.forward(target, source, blind);
        var b = literal.forward(randn(2, 3, 8), source, blind);
        Assert.True((a - b).abs().max().item<float>() < 1e-6);
    }

    /// <summary>Every user's validation scores, in eval mode.</summary>
    internal static float[] ValidScores(SemaCdr model, FeatureTables tables)
    {
        model.eval();
        using var noGrad = no_grad();
        using var s = model.Score(tables.Users, EvalSplit.Valid, CPU);
        return s.data<float>().ToArray();
    }

    internal static void AssertGradientsReachEveryTrainableParameter(SemaCdr model, FeatureTables tables)
    {
        using var scope = NewDisposeScope();
        model.train();
        model.zero_grad();
        model.Loss(Batch(tables)).backward();
        // A key bias shifts every attention score of a query equally, which softmax ignores: its gradient is zero in exact
        // arithmetic and only rounding noise in practice, so it is not asked for.
        foreach (var (name, p) in model.named_parameters().Where(p => p.parameter.requires_grad && !p.name.EndsWith("_key.bias")))
        {
            Assert.True(p.grad is not null, $"{name}: no gradient");
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name}: zero gradient");
        }
    }

    [Fact]
    public void AvgFusion_fixes_the_weights_and_wo_ConReg_drops_the_contrastive_terms()
    {
        var tables = TinyTables.Create();
        using var average = Create(tables, Config("AvgFusion"));
        Assert.Equal((1f / 3, 1f / 3, 1f / 3), average.FusionWeights);
        Assert.DoesNotContain(average.named_parameters(), p => p.parameter.requires_grad && p.name is "_alpha" or "_beta" or "_gamma");
        using var full = Create(tables, Config());
        Assert.Contains(full.named_parameters(), p => p.parameter.requires_grad && p.name == "_alpha");

        using var noContrast = Create(tables, Config("w/o ConReg"));
        using var scope = NewDisposeScope();
        full.train();
        noContrast.train();
        // Same initial weights (same seed and structure): the difference is exactly λ (L_c¹ + L_c²) > 0.
        var withTerms = full.Loss(Batch(tables)).item<float>();
        var without = noContrast.Loss(Batch(tables)).item<float>();
        Assert.True(withTerms > without + 1e-4, $"{withTerms} vs {without}");
        Assert.Equal(0, CrossDomain.Trainer.Models.ModelCatalog.Options<SemaCdrOptions>(Config("w/o ConReg")).ContrastiveWeight);
    }

    [Fact]
    public void Two_learning_rates_and_clear_errors_for_bad_settings()
    {
        var tables = TinyTables.Create();
        using var model = Create(tables, Config());
        var groups = model.ParameterGroups(Config() with { LearningRate = 1e-3 }).ToList();
        Assert.Equal([1e-3, 3e-4], groups.Select(g => g.LearningRate));
        var semantic = groups[1].Parameters.Count();
        Assert.Equal(3, semantic); // the description projection's weight and bias, the subcategory table
        Assert.Contains("ablation", Assert.Throws<ArgumentException>(() => CrossDomain.Trainer.Models.ModelCatalog.Options<SemaCdrOptions>(Config("w/o Everything"))).Message);
        Assert.Contains("model_params.lambda", Assert.Throws<ArgumentException>(() => CrossDomain.Trainer.Models.ModelCatalog.Options<SemaCdrOptions>(Config(extra: new() { ["lambda"] = "0.1" }))).Message);
        Assert.Contains("graph", Assert.Throws<ArgumentException>(() => CrossDomain.Trainer.Models.ModelCatalog.Options<SemaCdrOptions>(Config(extra: new() { ["graph"] = "dense" }))).Message);
    }

    [Fact]
    public void Mean_pooled_categories_and_an_mlp_predictor_work_too()
    {
        var tables = TinyTables.Create();
        using var model = Create(tables, Config(extra: new() { ["agnostic_combine"] = "mean", ["predictor"] = "mlp", ["categories"] = "1" }));
        using var scope = NewDisposeScope();
        model.eval();
        using (no_grad())
            Assert.Equal([4L, 13], model.Score(tables.Users, EvalSplit.Valid, CPU).shape);
        AssertGradientsReachEveryTrainableParameter(model, tables);
    }

    [Fact]
    public void Concatenated_categories_fill_the_hidden_width_when_k_does_not_divide_it()
    {
        // hidden 9 over K = 2 categories: 5 + 4 columns, so that e^agn is as wide as e^inn for the contrastive terms.
        var tables = TinyTables.Create();
        var config = Config() with { Hidden = 9 };
        TorchNativeLoader.EnsureLoaded();
        manual_seed(11);
        using var views = new ItemViews(tables, 9, CrossDomain.Trainer.Models.ModelCatalog.Options<SemaCdrOptions>(config));
        using var scope = NewDisposeScope();
        Assert.Equal(9, views.AgnosticDim);
        var agnostic = views.Agnostic(CPU)!;
        Assert.Equal([13L, 9], agnostic.shape);
        // Item 1 has label 1 (category 0) and label 4 (category 1): columns 0–4 are label 1's first five, 5–8 label 4's first four.
        var sub = views.parameters().Single(p => p.shape[0] == 5 && p.shape[1] == 5);
        Assert.Equal(sub[1].data<float>().ToArray(), agnostic[1, ..5].data<float>().ToArray());
        Assert.Equal(sub[4, ..4].data<float>().ToArray(), agnostic[1, 5..].data<float>().ToArray());

        using var model = Create(tables, config);
        model.train();
        Assert.True(float.IsFinite(model.Loss(Batch(tables)).item<float>()));
        AssertGradientsReachEveryTrainableParameter(model, tables);
    }

    [Theory]
    [InlineData("graph_residual")]
    [InlineData("scale_inputs")]
    public void Graph_residual_and_input_scaling_change_the_scores_but_no_parameter(string option)
    {
        var tables = TinyTables.Create();
        using var plain = Create(tables, Config());
        using var switched = Create(tables, Config(extra: new() { [option] = "true" }));
        Assert.Equal(plain.named_parameters().Select(p => p.name), switched.named_parameters().Select(p => p.name));
        Assert.NotEqual(ValidScores(plain, tables), ValidScores(switched, tables));
        AssertGradientsReachEveryTrainableParameter(switched, tables);
    }

    [Fact]
    public void One_seed_trains_to_the_same_numbers_twice()
    {
        var tables = CycleTables.Create(users: 32, seed: 4);
        var config = Config() with { Epochs = 2, Patience = 5, Seeds = [3], Device = "cpu", BatchSize = 8 };
        using var a = new TempDir();
        using var b = new TempDir();
        var first = new TrainingRun(tables, config, a.Path).Run(s => SampledNegatives.Draw(tables, 3, s)).Seeds[0];
        var second = new TrainingRun(tables, config, b.Path).Run(s => SampledNegatives.Draw(tables, 3, s)).Seeds[0];
        Assert.Equal(first.History.Select(h => h.Loss), second.History.Select(h => h.Loss));
        Assert.Equal(first.Test.Full, second.Test.Full);
    }

    [Fact]
    public void Each_seed_records_the_fusion_weights_of_its_best_checkpoint()
    {
        var tables = CycleTables.Create(users: 32, seed: 4);
        var config = Config() with { Epochs = 3, Patience = 5, Seeds = [3], Device = "cpu", BatchSize = 8, LearningRate = 0.01 };
        using var dir = new TempDir();
        var seed = new TrainingRun(tables, config, dir.Path).Run(s => SampledNegatives.Draw(tables, 3, s)).Seeds[0];

        using var best = Create(tables, config);
        Checkpoint.LoadWeights(Path.Combine(dir.Path, "seed_3", "best"), best);
        var (alpha, beta, gamma) = best.FusionWeights;
        Assert.Equal(new Dictionary<string, double> { ["fusion_alpha"] = alpha, ["fusion_beta"] = beta, ["fusion_gamma"] = gamma }, seed.LearnedWeights);
        Assert.NotEqual(1f / 3, alpha); // trained, not the initial value

        // A finished seed is read back from result.json with its weights.
        var again = new TrainingRun(tables, config, dir.Path).Run(s => SampledNegatives.Draw(tables, 3, s)).Seeds[0];
        Assert.Equal(seed.LearnedWeights, again.LearnedWeights);

        using var average = Create(tables, Config("AvgFusion"));
        Assert.All(average.LearnedWeights.Values, w => Assert.Equal(1.0 / 3, w, 6));
    }
}
