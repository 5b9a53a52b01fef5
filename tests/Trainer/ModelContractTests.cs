using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>
/// What every trainable model in the catalog must honour: no leakage (the validation and test items never reach an
/// input for that user), a user's scores do not depend on who else is in the batch, and one seed gives one model.
/// </summary>
[Collection("torch")]
public sealed class ModelContractTests
{
    /// <summary>Every trainable model under every protocol it supports.</summary>
    public static TheoryData<string, string> Models()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in ModelCatalog.Names.Where(ModelCatalog.IsTrainable))
            foreach (var protocol in ModelCatalog.Find(name).SupportedProtocols) data.Add(name, protocol);
        return data;
    }

    internal static FeatureTables Tables(string protocol) => protocol == FeatureTables.MixedLoo ? MixedTables.Create() : TinyTables.Create();

    private static TrainingConfig Config(string model) => new() { Model = model, Hidden = 8, Heads = 1, Blocks = model == "abxi" ? 1 : 2, Dropout = 0.3, MaxLength = 5 };

    private static RecommenderModel Create(string model, FeatureTables tables)
    {
        TorchNativeLoader.EnsureLoaded();
        manual_seed(3);
        var m = ModelCatalog.Create(model, tables, Config(model));
        m.eval();
        return m;
    }

    private static float[] Scores(RecommenderModel model, IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split)
    {
        using var noGrad = no_grad();
        using var s = model.Score(users, split, CPU);
        return s.data<float>().ToArray();
    }

    /// <summary>The same users with every field a split must not read replaced by other items.</summary>
    internal static FeatureTables.UserRow Scramble(FeatureTables.UserRow u, EvalSplit split, string protocol)
    {
        if (protocol == FeatureTables.MixedLoo)
        {
            // Another held-out item in the other domain, and (for validation) another last input item: neither may matter.
            static int Other(int i) => i <= 5 ? 6 + i % 7 : 1 + i % 5;
            var test = u.MixedTestInput.Append(Other(u.TestItem)).ToArray();
            if (split == EvalSplit.Valid) test = [.. u.MixedTrain, Other(u.ValidItem), Other(u.TestItem)];
            return MixedTables.User(u.UserIdx, test);
        }
        var copy = TinyTables.User(u.UserIdx, u.SourceTrain, u.TargetTrain, u.ValidItem, u.TestItem);
        copy.TestItem = 6 + (u.TestItem - 5) % 7; // another target item
        if (split == EvalSplit.Valid)
        {
            copy.ValidItem = 6 + (u.ValidItem - 5) % 7;
            copy.TargetTestInput = [.. u.TargetTrain, copy.ValidItem];
            copy.MixedTestInput = [.. u.MixedTrain, 12];
            copy.MixedTestInputDomains = [.. u.MixedTrainDomains, 1];
            copy.SourceTestInput = [.. u.SourceTrain, 3];
        }
        return copy;
    }

    [Theory, MemberData(nameof(Models))]
    public void Scores_never_read_the_item_being_predicted_or_anything_after_it(string model, string protocol)
    {
        var tables = Tables(protocol);
        using var m = Create(model, tables);
        foreach (var split in new[] { EvalSplit.Valid, EvalSplit.Test })
            Assert.Equal(Scores(m, tables.Users, split), Scores(m, tables.Users.Select(u => Scramble(u, split, protocol)).ToList(), split));
    }

    [Theory, MemberData(nameof(Models))]
    public void Training_loss_never_reads_validation_or_test_items(string model, string protocol)
    {
        var tables = Tables(protocol);
        using var m = Create(model, tables);
        m.train();
        float Loss(IReadOnlyList<FeatureTables.UserRow> users)
        {
            manual_seed(5);
            using var loss = m.Loss(TestBatches.Of(tables, users));
            return loss.item<float>();
        }
        Assert.Equal(Loss(tables.Users), Loss(tables.Users.Select(u => Scramble(u, EvalSplit.Valid, protocol)).ToList()));
    }

    [Theory, MemberData(nameof(Models))]
    public void Every_parameter_receives_a_gradient_from_the_training_loss(string model, string protocol)
    {
        var tables = Tables(protocol);
        using var m = Create(model, tables);
        m.train();
        using var loss = m.Loss(TestBatches.Of(tables, targetPool: tables.SequenceItems));
        loss.backward();
        // A parameter the loss never reaches is dead weight, or a wiring mistake (a view or a unit left out).
        var untouched = m.named_parameters().Where(p => p.parameter.requires_grad && p.parameter.grad is null).Select(p => p.name).ToList();
        Assert.True(untouched.Count == 0, $"{model} ({protocol}): no gradient for {string.Join(", ", untouched)}");
    }

    [Theory, MemberData(nameof(Models))]
    public void A_users_scores_do_not_depend_on_the_rest_of_the_batch(string model, string protocol)
    {
        var tables = Tables(protocol);
        using var m = Create(model, tables);
        var together = Scores(m, tables.Users, EvalSplit.Test);
        var width = together.Length / tables.Users.Count;
        for (int i = 0; i < tables.Users.Count; i++)
        {
            var alone = Scores(m, [tables.Users[i]], EvalSplit.Test);
            // A tolerance, not rounding to 4 places: two values 5e-7 apart can round to different last digits.
            for (int j = 0; j < width; j++) Assert.Equal(together[i * width + j], alone[j], 1e-4f);
        }
    }

    [Theory, MemberData(nameof(Models))]
    public void One_seed_builds_one_model(string model, string protocol)
    {
        var tables = Tables(protocol);
        using var a = Create(model, tables);
        using var b = Create(model, tables);
        Assert.Equal(Scores(a, tables.Users, EvalSplit.Test), Scores(b, tables.Users, EvalSplit.Test));
    }

    [Theory, MemberData(nameof(Models))]
    public void One_epoch_of_the_shared_loop_trains_validates_and_scores_the_test_split(string model, string protocol)
    {
        TorchNativeLoader.EnsureLoaded();
        var tables = Tables(protocol);
        using var dir = new CrossDomain.Tests.Support.TempDir();
        var config = Config(model) with { Epochs = 1, Patience = 1, Seeds = [1], Device = "cpu", BatchSize = 2 };
        var result = new TrainingRun(tables, config, dir.Path).Run(seed => SampledNegatives.Draw(tables, 3, seed));
        var seed = Assert.Single(result.Seeds);
        Assert.Equal(1, seed.BestEpoch);
        Assert.All(seed.Test.Full.Concat(seed.Test.Sampled).Concat(seed.Valid.Full), m => Assert.InRange(m.Value, 0, 1));
        Assert.True(File.Exists(Path.Combine(dir.Path, "seed_1", "best", "model.dat")), $"{model}: no best checkpoint");
    }
}

/// <summary>Every trainable model learns a deterministic successor rule through the shared training loop.</summary>
[Collection("torch")]
[Trait("Category", "Slow")] // 60 epochs per model and protocol, a learning check: `--filter "Category!=Slow"` leaves it out of the quick loop (CI runs it)
public sealed class ModelLearningTests
{
    [Theory, MemberData(nameof(ModelContractTests.Models), MemberType = typeof(ModelContractTests))]
    public void Learns_a_successor_rule(string model, string protocol)
    {
        var tables = protocol == FeatureTables.MixedLoo ? MixedTables.Cycles(users: 64, seed: 1) : CycleTables.Create(users: 64, seed: 1);
        using var dir = new CrossDomain.Tests.Support.TempDir();
        var config = new TrainingConfig
        {
            Model = model, Hidden = 16, Heads = 1, Blocks = 1, Dropout = 0.1, MaxLength = 10, BatchSize = 16, LearningRate = 1e-2,
            Epochs = 60, Patience = 60, Seeds = [1], Device = "cpu",
            // ABXI's reference scoring feeds its domain branches other inputs than training does (AbxiScoringInputs); on
            // this rule it reaches HR@1 0.625 that way and 1.0 with the training alignment, which is what this test is about.
            ModelParams = model == "abxi" ? new Dictionary<string, string> { ["scoring_inputs"] = "aligned" } : new Dictionary<string, string>(),
        };
        var result = new TrainingRun(tables, config, dir.Path).Run(seed => SampledNegatives.Draw(tables, 3, seed));
        Assert.True(result.Seeds[0].Test.Full["HR@1"] > 0.85, $"{model} ({protocol}): test HR@1 {result.Seeds[0].Test.Full["HR@1"]:F3}");
    }
}
