using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>GRU4Rec's layouts: RecBole's (shipped) and hidasib/GRU4Rec_PyTorch_Official's, each what it says.</summary>
[Collection("torch")]
public sealed class Gru4RecLayoutTests
{
    private static TrainingConfig Config(params (string Key, string Value)[] switches) => new()
    {
        Model = "gru4rec", Hidden = 8, Dropout = 0.0, MaxLength = 6, ModelParams = switches.ToDictionary(s => s.Key, s => s.Value),
    };

    private static Gru4Rec Create(TrainingConfig config)
    {
        TorchNativeLoader.EnsureLoaded();
        manual_seed(3);
        var m = (Gru4Rec)ModelCatalog.Create("gru4rec", TinyTables.Create(), config);
        m.eval();
        return m;
    }

    [Fact]
    public void The_official_layout_has_a_target_only_tied_table_an_output_bias_and_no_dense_layer()
    {
        var tables = TinyTables.Create();
        using var recbole = Create(Config());
        using var official = Create(Config(("layout", "official")));
        long Count(Gru4Rec m) => m.parameters().Sum(p => p.numel());
        long gru = 2 * 3 * 8 * 8 + 2 * 3 * 8;
        Assert.Equal((tables.ItemCount + 1) * 8 + gru + 8 * 8 + 8, Count(recbole));        // table, GRU, dense
        Assert.Equal((tables.TargetItems.Length + 1) * (8 + 1) + gru, Count(official));    // W_y, b_y, GRU
        Assert.DoesNotContain(official.named_parameters(), p => p.name.StartsWith("_dense"));
    }

    [Fact]
    public void The_official_layouts_scores_add_each_items_output_bias()
    {
        using var m = Create(Config(("layout", "official")));
        var users = TinyTables.Create().Users;
        float[] Scores() { using var noGrad = no_grad(); return m.Score(users, EvalSplit.Test, CPU).data<float>().ToArray(); }
        var before = Scores();
        var bias = m.named_parameters().Single(p => p.name.StartsWith("_bias")).parameter;
        var row = Array.IndexOf(TinyTables.Create().TargetItems, 9) + 1;
        using (no_grad()) bias[row, 0] = 0.75f;
        var after = Scores();
        var width = before.Length / users.Count;
        for (int u = 0; u < users.Count; u++)
            for (int item = 0; item < width; item++)
                Assert.Equal(before[u * width + item] + (item == 9 ? 0.75f : 0f), after[u * width + item], 5);
    }

    [Fact]
    public void The_official_layout_starts_with_zero_biases_and_one_glorot_matrix_per_gate()
    {
        using var m = Create(Config(("layout", "official")));
        foreach (var (name, p) in m.named_parameters())
        {
            if (name.StartsWith("_bias") || name.Contains("bias_")) Assert.Equal(0f, p.abs().max().item<float>());
            if (name.Contains("weight_hh"))
            {
                var bound = Math.Sqrt(6.0 / (8 + 8)); // each gate's 8×8 block: Glorot-uniform over fan-in + fan-out 16
                for (int gate = 0; gate < 3; gate++)
                    Assert.True(p.narrow(0, gate * 8, 8).abs().max().item<float>() <= bound + 1e-6);
            }
        }
    }

    [Fact]
    public void Unknown_or_out_of_range_settings_name_their_key()
    {
        Assert.Contains("model_params.layout", Assert.Throws<ArgumentException>(() => Create(Config(("layout", "theano")))).Message);
        Assert.Contains("model_params.hidden_dropout", Assert.Throws<ArgumentException>(() => Create(Config(("hidden_dropout", "1.5")))).Message);
        Assert.Contains("known: layout, gru_layers, hidden_dropout", Assert.Throws<ArgumentException>(() => Create(Config(("layers", "2")))).Message);
    }

    [Fact]
    public void The_official_layout_with_its_cross_entropy_learns_a_successor_rule()
    {
        var tables = CycleTables.Create(users: 64, seed: 1);
        using var dir = new CrossDomain.Tests.Support.TempDir();
        var config = new TrainingConfig
        {
            Model = "gru4rec", Hidden = 16, Dropout = 0.0, MaxLength = 10, BatchSize = 16, LearningRate = 1e-2, Epochs = 60, Patience = 60, Seeds = [1], Device = "cpu",
            Loss = "ce", ModelParams = new Dictionary<string, string> { ["layout"] = "official", ["hidden_dropout"] = "0.1" },
        };
        var result = new TrainingRun(tables, config, dir.Path).Run(seed => SampledNegatives.Draw(tables, 3, seed));
        Assert.True(result.Seeds[0].Test.Full["HR@1"] > 0.85, $"test HR@1 {result.Seeds[0].Test.Full["HR@1"]:F3}");
    }
}
