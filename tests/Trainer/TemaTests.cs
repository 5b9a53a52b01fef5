using CrossDomain.Tests.Support;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.Tema;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>TEMA-LLM on hand-made tables: shapes, fusion weights, every ablation switch, tag encodings, determinism.</summary>
[Collection("torch")]
public sealed class TemaTests
{
    private static TrainingConfig Config(string ablation = "full", Dictionary<string, string>? extra = null)
    {
        var p = new Dictionary<string, string>(extra ?? []) { ["ablation"] = ablation };
        return new TrainingConfig { Model = "tema", Hidden = 8, Heads = 1, Blocks = 1, Dropout = 0.0, MaxLength = 6, ModelParams = p };
    }

    private static Tema Create(FeatureTables tables, TrainingConfig config)
    {
        TorchNativeLoader.EnsureLoaded();
        manual_seed(11);
        return new Tema(tables, config);
    }

    private static TrainingBatch Batch(FeatureTables tables)
    {
        var rng = new Random(5);
        return new TrainingBatch
        {
            Users = tables.Users, TargetNegatives = new NegativeSampler(tables.TargetItems, rng), SourceNegatives = new NegativeSampler(tables.SourceItems, rng),
            Random = rng, Device = CPU, Epoch = 1,
        };
    }

    private static float[] Scores(Tema model, FeatureTables tables)
    {
        model.eval();
        using var noGrad = no_grad();
        using var s = model.Score(tables.Users, EvalSplit.Test, CPU);
        return s.data<float>().ToArray();
    }

    [Fact]
    public void Scores_are_fused_probabilities_over_the_target_items_only()
    {
        var tables = TinyTables.Create();
        using var m = Create(tables, Config());
        m.eval();
        using var noGrad = no_grad();
        using var scores = m.Score(tables.Users, EvalSplit.Test, CPU);
        Assert.Equal(new long[] { tables.Users.Count, tables.ItemCount + 1 }, scores.shape);
        var s = scores.data<float>().ToArray();
        var width = tables.ItemCount + 1;
        for (int u = 0; u < tables.Users.Count; u++)
        {
            // Columns 0 and the source items (1–5) are never candidates; over the target items the three fused
            // distributions add up to 1 + λ₁ + λ₂ (every tiny user has all three sequences).
            for (int i = 0; i <= 5; i++) Assert.Equal(0f, s[u * width + i]);
            Assert.Equal(1 + 0.3 + 0.1, s.Skip(u * width + 6).Take(7).Sum(), 4);
        }
    }

    [Fact]
    public void Fusion_weights_sum_to_one_over_the_views_present()
    {
        var tables = TinyTables.Create();
        (TemaView, double)[] Weights(TrainingConfig c, FeatureTables? t = null) { using var m = Create(t ?? tables, c); return [.. m.ViewWeights]; }
        // α₁ 0.4 (ID), α₃ 0.2 (text), 0.2 left for tags; no image in the features: renormalised over 0.8.
        static (TemaView, double)[] Rounded((TemaView, double)[] w) => [.. w.Select(v => (v.Item1, Math.Round(v.Item2, 12)))];
        Assert.Equal([(TemaView.Id, 0.5), (TemaView.Text, 0.25), (TemaView.Tag, 0.25)], Rounded(Weights(Config())));
        Assert.Equal([(TemaView.Id, Math.Round(0.4 / 0.6, 12)), (TemaView.Text, Math.Round(0.2 / 0.6, 12))], Rounded(Weights(Config("w/o Tag"))));
        Assert.Equal([(TemaView.Fused, 1.0)], Weights(Config("w/o MultiAttn")));

        var withImages = TinyTables.Create();
        foreach (var item in withImages.Items.Skip(1)) item.ImageEmbedding = [item.ItemIdx / 12f, 1, 0];
        var all = Weights(Config(), withImages);
        Assert.Equal(new[] { TemaView.Id, TemaView.Image, TemaView.Text, TemaView.Tag }, all.Select(w => w.Item1));
        Assert.Equal(new[] { 0.4, 0.2, 0.2, 0.2 }, all.Select(w => Math.Round(w.Item2, 12)));
        Assert.Equal(1.0, all.Sum(w => w.Item2), 12);
    }

    [Fact]
    public void Tag_encodings_follow_table_V()
    {
        var tables = TinyTables.Create();
        const int t = 4;
        // Item 5: tags 1 (0.75) and 2 (0.25).
        float[] Row(TagEncoding e) => TemaViews.TagWeights(tables, 13, e).Skip(5 * t).Take(t).ToArray();
        Assert.Equal([0, 0.75f, 0.25f, 0], Row(TagEncoding.Weighted));
        Assert.Equal([0, 0.5f, 0.5f, 0], Row(TagEncoding.MultiHot));
        Assert.Equal([0, 1f, 0, 0], Row(TagEncoding.OneHot));
        Assert.All(Enumerable.Range(0, t), k => Assert.Equal(0f, TemaViews.TagWeights(tables, 13, TagEncoding.Weighted)[k])); // padding row
    }

    [Theory]
    [InlineData("w/o Tag", "_views._tags.", 6)]
    [InlineData("w/o MultiAttn", "_encoders.3.", 3)]
    [InlineData("original", "_views._tags.", 3)]
    [InlineData("one-hot", null, 9)]
    [InlineData("multi-hot", null, 9)]
    public void An_ablation_changes_what_it_says_and_gradients_reach_everything_left(string ablation, string? removed, int encoders)
    {
        var tables = TinyTables.Create();
        using var full = Create(tables, Config());
        using var variant = Create(tables, Config(ablation));
        var names = variant.named_parameters().Select(p => p.name).ToList();
        if (removed is not null)
        {
            Assert.Contains(full.named_parameters(), p => p.name.StartsWith(removed));
            Assert.DoesNotContain(names, n => n.StartsWith(removed));
        }
        Assert.Equal(encoders, names.Where(n => n.StartsWith("_encoders.")).Select(n => n.Split('.')[1]).Distinct().Count());
        Assert.Equal(ablation.Contains("MultiAttn") || ablation == "original", names.Any(n => n.StartsWith("_views._fuse.")));
        Assert.NotEqual(Scores(full, tables), Scores(variant, tables));

        variant.train();
        using var loss = variant.Loss(Batch(tables));
        loss.backward();
        foreach (var (name, p) in variant.named_parameters())
            // Positions beyond the tiny sequences never get a gradient, nor key biases (softmax ignores them).
            if (!name.Contains("_positions") && !name.EndsWith("_key.bias"))
                Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, $"{ablation}: no gradient reaches {name}");
    }

    [Fact]
    public void The_source_and_mixed_sequences_count_with_their_lambdas()
    {
        var tables = TinyTables.Create();
        using var full = Create(tables, Config());
        using var targetOnly = Create(tables, Config(extra: new() { ["source_weight"] = "0", ["mixed_weight"] = "0" }));
        Assert.NotEqual(Scores(full, tables), Scores(targetOnly, tables));
        full.train();
        targetOnly.train();
        using var a = full.Loss(Batch(tables));
        using var b = targetOnly.Loss(Batch(tables));
        Assert.True(a.item<float>() > b.item<float>(), "λ₁ L^Y + λ₂ L^{X+Y} add to the loss");
    }

    [Fact]
    public void Views_without_data_are_all_named_in_one_error_and_a_model_without_them_says_so_in_its_name()
    {
        var tables = TinyTables.Create();
        foreach (var item in tables.Items) { item.TitleEmbedding = new float[item.TitleEmbedding.Length]; item.Tags = []; item.TagWeights = []; }
        var e = Assert.Throws<InvalidOperationException>(() => Create(tables, Config()));
        Assert.Contains("cannot build 2 of its views", e.Message);
        Assert.Contains("model_params.text: false", e.Message);
        Assert.Contains("model_params.tags: false", e.Message);

        var idOnly = Config(extra: new() { ["text"] = "false", ["tags"] = "false" });
        using (var model = Create(tables, idOnly)) Assert.NotNull(model);
        Assert.Equal("TEMA-LLM (ID view only)", CrossDomain.Trainer.Models.ModelCatalog.DisplayName(idOnly));
        Assert.Equal("TEMA-LLM", CrossDomain.Trainer.Models.ModelCatalog.DisplayName(Config()));
        Assert.Equal("TEMA-LLM (w/o Tag)", CrossDomain.Trainer.Models.ModelCatalog.DisplayName(Config("w/o Tag")));
        Assert.Equal("TEMA-LLM (original)", CrossDomain.Trainer.Models.ModelCatalog.DisplayName(Config("original")));
        Assert.Equal("SASRec", CrossDomain.Trainer.Models.ModelCatalog.DisplayName(new TrainingConfig { Model = "sasrec" }));
    }

    [Fact]
    public void Clear_errors_for_bad_settings()
    {
        var tables = TinyTables.Create();
        Assert.Contains("model_params.colour", Assert.Throws<ArgumentException>(() => Create(tables, Config(extra: new() { ["colour"] = "red" }))).Message);
        Assert.Contains("ablation", Assert.Throws<ArgumentException>(() => Create(tables, Config("w/o Everything"))).Message);
        Assert.Contains("must be ≤ 1", Assert.Throws<ArgumentException>(() => Create(tables, Config(extra: new() { ["id_weight"] = "0.9" }))).Message);
        Assert.Contains("tag_encoding", Assert.Throws<ArgumentException>(() => Create(tables, Config(extra: new() { ["tag_encoding"] = "zero-hot" }))).Message);
        Assert.Contains("image_embedding", Assert.Throws<InvalidOperationException>(() => Create(tables, Config(extra: new() { ["image"] = "true" }))).Message);
    }

    [Fact]
    public async Task An_image_embedding_column_in_the_features_is_read_when_present()
    {
        using var dir = new TempDir();
        var items = Path.Combine(dir.Path, "items.parquet");
        await Parquet.Serialization.ParquetSerializer.SerializeAsync(new[]
        {
            new ImageItem { ItemIdx = 1, Role = "source", ImageEmbedding = [1, 2] },
            new ImageItem { ItemIdx = 2, Role = "target", ImageEmbedding = [3, 4] },
        }, items);
        await Parquet.Serialization.ParquetSerializer.SerializeAsync(new[] { new FeatureTables.UserRow { UserIdx = 0, SourceTrain = [1], TargetTrain = [2] } }, Path.Combine(dir.Path, "users.parquet"));
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "manifest.json"), "{}");
        var tables = await FeatureTables.LoadAsync(dir.Path);
        Assert.Equal([3f, 4f], tables.Items[2].ImageEmbedding);
        Assert.Empty(TinyTables.Create().Items[2].ImageEmbedding);
    }

    private sealed class ImageItem
    {
        [System.Text.Json.Serialization.JsonPropertyName("item_idx")] public int ItemIdx { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("role")] public string Role { get; set; } = "";
        [System.Text.Json.Serialization.JsonPropertyName("labels")] public int[] Labels { get; set; } = [];
        [System.Text.Json.Serialization.JsonPropertyName("tags")] public int[] Tags { get; set; } = [];
        [System.Text.Json.Serialization.JsonPropertyName("tag_weights")] public float[] TagWeights { get; set; } = [];
        [System.Text.Json.Serialization.JsonPropertyName("description_embedding")] public float[] DescriptionEmbedding { get; set; } = [];
        [System.Text.Json.Serialization.JsonPropertyName("title_embedding")] public float[] TitleEmbedding { get; set; } = [];
        [System.Text.Json.Serialization.JsonPropertyName("image_embedding")] public float[] ImageEmbedding { get; set; } = [];
    }

    [Fact]
    public void With_source_scores_none_the_source_sequence_adds_nothing_to_a_target_items_score()
    {
        // The test-time source sequence of user 0 changes (its mixed sequence does not): only P^Y reads it.
        var tables = TinyTables.Create();
        var changed = tables.Users.Select(u => u.UserIdx == 0 ? Copy(u, sourceTestInput: [4, 3]) : u).ToArray();
        var other = TinyTables.Create(changed);
        foreach (var (value, moves) in new[] { ("target_items", true), ("none", false) })
        {
            using var a = Create(tables, Config(extra: new() { ["source_scores"] = value }));
            using var b = Create(other, Config(extra: new() { ["source_scores"] = value }));
            var width = tables.ItemCount + 1;
            var before = Scores(a, tables)[..width];
            var after = Scores(b, other)[..width];
            if (moves) Assert.NotEqual(before, after);
            else Assert.Equal(before, after);
        }
        // Over the target items the scores then add up to 1 + λ₂: P^X and P^{X+Y} only.
        using var literal = Create(tables, Config(extra: new() { ["source_scores"] = "none" }));
        Assert.Equal(1 + 0.1, Scores(literal, tables).Skip(6).Take(7).Sum(), 4);
        Assert.Contains("source_scores", Assert.Throws<ArgumentException>(() => CrossDomain.Trainer.Models.ModelCatalog.Options<TemaOptions>(Config(extra: new() { ["source_scores"] = "all" }))).Message);
    }

    private static FeatureTables.UserRow Copy(FeatureTables.UserRow u, int[] sourceTestInput)
    {
        var copy = TinyTables.User(u.UserIdx, u.SourceTrain, u.TargetTrain, u.ValidItem, u.TestItem);
        copy.SourceTestInput = sourceTestInput;
        copy.SourceTestInputTimestamps = [.. sourceTestInput.Select((_, k) => (long)(k + 1) * 86_400)];
        return copy;
    }

    [Fact]
    public void One_seed_trains_to_the_same_numbers_twice()
    {
        var tables = CycleTables.Create(users: 24, seed: 2);
        TrainingResult Train()
        {
            using var dir = new TempDir();
            var config = new TrainingConfig { Model = "tema", Hidden = 8, Heads = 1, Blocks = 1, Dropout = 0.2, MaxLength = 8, BatchSize = 8, Epochs = 3, Patience = 3, Seeds = [4], Device = "cpu" };
            return new TrainingRun(tables, config, dir.Path).Run(seed => SampledNegatives.Draw(tables, 3, seed));
        }
        var a = Train();
        var b = Train();
        Assert.Equal(a.Seeds[0].History.Select(h => h.Loss), b.Seeds[0].History.Select(h => h.Loss));
        Assert.Equal(a.Seeds[0].Test.Full, b.Seeds[0].Test.Full);
    }
}
