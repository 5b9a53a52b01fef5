using System.Text.Json;
using CrossDomain.Tests.Support;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>The shared training loop: resume, determinism, early stopping, checkpoints, no tensor leaks.</summary>
[Collection("torch")]
public sealed class TrainingRunTests
{
    private static readonly FeatureTables Tables = CycleTables.Create(users: 48, seed: 2);

    private static TrainingConfig Config(int epochs = 6, int patience = 100, double lr = 1e-2) => new()
    {
        Model = "sasrec", Hidden = 16, Heads = 1, Blocks = 1, Dropout = 0.2, MaxLength = 8, BatchSize = 16, LearningRate = lr,
        Epochs = epochs, Patience = patience, Seeds = [7], Device = "cpu",
    };

    private static SampledNegatives Negatives(int seed) => SampledNegatives.Draw(Tables, 3, seed);

    private sealed class Observer(Action<EpochLog>? onEpoch = null) : ITrainingObserver
    {
        public List<string> Lines { get; } = [];
        public void OnStart(string message) => Lines.Add(message);
        public void OnEpoch(EpochLog log, string line) { Lines.Add(line); onEpoch?.Invoke(log); }
    }

    private static float[] Weights(string checkpoint)
    {
        using var model = ModelCatalog.Create("sasrec", Tables, Config());
        Checkpoint.LoadWeights(checkpoint, model);
        return model.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray();
    }

    [Fact]
    public void A_run_cut_off_and_resumed_ends_with_the_same_weights_as_one_never_interrupted()
    {
        using var whole = new TempDir();
        using var cut = new TempDir();
        var reference = new TrainingRun(Tables, Config(), whole.Path).Run(Negatives);

        using var cts = new CancellationTokenSource();
        var observer = new Observer(log => { if (log.Epoch == 3) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => new TrainingRun(Tables, Config(), cut.Path, observer).Run(Negatives, cts.Token));
        var state = Checkpoint.ReadState(Path.Combine(cut.Path, "seed_7", "last"))!;
        Assert.Equal(3, state.Epoch);
        Assert.False(File.Exists(Path.Combine(cut.Path, "seed_7", "result.json")));

        var resumedLog = new Observer();
        var resumed = new TrainingRun(Tables, Config(), cut.Path, resumedLog).Run(Negatives);
        Assert.Contains(resumedLog.Lines, l => l.Contains("resuming after epoch 3"));
        Assert.Equal(Enumerable.Range(4, 3), resumedLog.Lines.Where(l => l.StartsWith("seed 7 epoch")).Select(l => int.Parse(l.Split(' ')[3].Split('/')[0])));
        foreach (var which in new[] { "last", "best" })
            Assert.Equal(Weights(Path.Combine(whole.Path, "seed_7", which)), Weights(Path.Combine(cut.Path, "seed_7", which)));
        Assert.Equal(reference.Seeds[0].History.Select(h => h.Loss), resumed.Seeds[0].History.Select(h => h.Loss));
        Assert.Equal(reference.Seeds[0].Test.Full, resumed.Seeds[0].Test.Full);
    }

    [Fact]
    public void One_seed_gives_the_same_numbers_twice_and_seeds_differ()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var config = Config(epochs: 3) with { Seeds = [1, 2] };
        var first = new TrainingRun(Tables, config, a.Path).Run(Negatives);
        var second = new TrainingRun(Tables, config, b.Path).Run(Negatives);
        for (int s = 0; s < 2; s++)
        {
            Assert.Equal(first.Seeds[s].History.Select(h => h.Loss), second.Seeds[s].History.Select(h => h.Loss));
            Assert.Equal(first.Seeds[s].Test.Sampled, second.Seeds[s].Test.Sampled);
        }
        Assert.NotEqual(first.Seeds[0].History[0].Loss, first.Seeds[1].History[0].Loss);
    }

    [Fact]
    public void Early_stopping_ends_after_patience_validations_without_improvement_and_keeps_the_best_epoch()
    {
        using var dir = new TempDir();
        // A learning rate this small changes no score: epoch 1 is the best, and two more validations end training.
        var result = new TrainingRun(Tables, Config(epochs: 50, patience: 2, lr: 1e-12), dir.Path).Run(Negatives).Seeds[0];
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.Epochs);
        Assert.Equal(1, result.BestEpoch);
        Assert.Equal([true, false, false], result.History.Select(h => h.IsBest));
    }

    [Fact]
    public void Patience_zero_trains_the_whole_budget_and_min_epochs_holds_off_early_stopping()
    {
        using var dir = new TempDir();
        var fixedBudget = new TrainingRun(Tables, Config(epochs: 5, patience: 0, lr: 1e-12), Path.Combine(dir.Path, "a")).Run(Negatives).Seeds[0];
        Assert.False(fixedBudget.StoppedEarly);
        Assert.Equal(5, fixedBudget.Epochs);
        Assert.Equal(1, fixedBudget.BestEpoch); // the best validated checkpoint is still the one kept
        // Nothing improves after epoch 1: patience 2 alone stops at epoch 3 (above); with min_epochs 6, at 6.
        var held = new TrainingRun(Tables, Config(epochs: 50, patience: 2, lr: 1e-12) with { MinEpochs = 6 }, Path.Combine(dir.Path, "b")).Run(Negatives).Seeds[0];
        Assert.True(held.StoppedEarly);
        Assert.Equal(6, held.Epochs);
        Assert.Equal(1, held.BestEpoch);
    }

    [Fact]
    public void Checkpoints_hold_weights_optimizer_state_epoch_rng_and_config()
    {
        using var dir = new TempDir();
        new TrainingRun(Tables, Config(epochs: 2), dir.Path).Run(Negatives);
        foreach (var which in new[] { "best", "last" })
        {
            var folder = Path.Combine(dir.Path, "seed_7", which);
            Assert.True(new FileInfo(Path.Combine(folder, "model.dat")).Length > 0);
            Assert.True(new FileInfo(Path.Combine(folder, "optimizer.dat")).Length > 0);
            var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "state.json"))).RootElement;
            Assert.Equal("sasrec", state.GetProperty("model").GetString());
            Assert.True(state.GetProperty("torch_rng_state").GetString()!.Length > 100);
            Assert.Equal(16, state.GetProperty("config").GetProperty("hidden").GetInt32());
        }
        Assert.Equal(2, Checkpoint.ReadState(Path.Combine(dir.Path, "seed_7", "last"))!.Epoch);
    }

    [Fact]
    public void A_checkpoint_of_another_configuration_is_refused()
    {
        using var dir = new TempDir();
        using var cts = new CancellationTokenSource();
        var observer = new Observer(_ => cts.Cancel());
        Assert.ThrowsAny<OperationCanceledException>(() => new TrainingRun(Tables, Config(), dir.Path, observer).Run(Negatives, cts.Token));
        var e = Assert.Throws<InvalidOperationException>(() => new TrainingRun(Tables, Config() with { Hidden = 32 }, dir.Path).Run(Negatives));
        Assert.Contains("another configuration", e.Message);
        Assert.Equal(2, new TrainingRun(Tables, Config(epochs: 2) with { Hidden = 32 }, dir.Path) { Resume = false }.Run(Negatives).Seeds[0].Epochs);
    }

    [Fact]
    public void Live_tensors_do_not_grow_across_epochs()
    {
        using var dir = new TempDir();
        var live = new List<long>();
        var observer = new Observer(_ => live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount));
        new TrainingRun(Tables, Config(epochs: 6), dir.Path, observer).Run(Negatives);
        Assert.Equal(6, live.Count);
        Assert.True(live[1] > 0, "the statistics count the model's own tensors");
        Assert.All(live.Skip(1), n => Assert.Equal(live[1], n));
    }

    [Fact]
    public void Fixed_rankers_are_evaluated_without_training()
    {
        using var dir = new TempDir();
        var result = new TrainingRun(Tables, Config() with { Model = "popularity" }, dir.Path).Run(Negatives).Seeds[0];
        Assert.Equal(0, result.Epochs);
        Assert.Empty(result.History);
        Assert.Equal(new RankingEvaluator(Tables, Negatives(7)).Evaluate(new PopularityScorer(Tables), EvalSplit.Test).Full, result.Test.Full);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "seed_7", "best")));
    }

    [Fact]
    public void Bad_settings_name_their_key()
    {
        using var dir = new TempDir();
        Assert.Contains("select_metric", Assert.Throws<ArgumentException>(() => new TrainingRun(Tables, Config() with { SelectMetric = "AUC" }, dir.Path).Run(Negatives)).Message);
        Assert.Contains("model", Assert.Throws<ArgumentException>(() => new TrainingRun(Tables, Config() with { Model = "bert4rec" }, dir.Path).Run(Negatives)).Message);
        Assert.Contains("no CUDA device", Assert.Throws<InvalidOperationException>(() => DeviceSelector.Resolve("cuda", out _)).Message);
    }
}
