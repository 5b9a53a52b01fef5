using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using TorchSharp;
using static TorchSharp.torch;
using CrossDomain.Trainer.Torch;

namespace CrossDomain.Trainer.Training;

/// <summary>
/// Trains and evaluates one model for every configured seed. Per seed: Adam, an epoch over the users in a seeded
/// order with one dispose scope per batch, validation every <c>eval_every</c> epochs, early stopping on the
/// validation metric with patience, checkpoints <c>last</c> (every epoch) and <c>best</c> (on improvement) under
/// <c>workDir/seed_&lt;s&gt;/</c>; then the best checkpoint scores validation and test, test exactly once. Every
/// epoch reseeds its generators from (seed, epoch), so a run resumed from <c>last</c> ends with the same weights as
/// one never interrupted. A finished seed leaves <c>result.json</c> and is not run again.
/// </summary>
public sealed class TrainingRun(FeatureTables tables, TrainingConfig config, string workDir, ITrainingObserver? observer = null)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly ITrainingObserver _observer = observer ?? new SilentObserver();

    /// <summary>Continue from checkpoints found in <c>workDir</c> (default); false deletes them first.</summary>
    public bool Resume { get; init; } = true;

    public TrainingResult Run(Func<int, SampledNegatives> negatives, CancellationToken ct = default)
    {
        config.Validate();
        var device = DeviceSelector.Resolve(config.Device, out var deviceText);
        _observer.OnStart($"{ModelCatalog.DisplayName(config)}: device {deviceText}, {torch.get_num_threads()} CPU threads, " +
                          $"{tables.Users.Count} users, {tables.TargetItems.Length} target items");
        var results = new List<SeedResult>();
        foreach (var seed in config.Seeds)
        {
            ct.ThrowIfCancellationRequested();
            var seedDir = Path.Combine(workDir, $"seed_{seed}");
            if (!Resume && Directory.Exists(seedDir)) Directory.Delete(seedDir, recursive: true);
            Directory.CreateDirectory(seedDir);
            var resultFile = Path.Combine(seedDir, "result.json");
            if (File.Exists(resultFile))
            {
                _observer.OnStart($"seed {seed}: finished in an earlier run, result kept");
                results.Add(JsonSerializer.Deserialize<SeedResult>(File.ReadAllText(resultFile), Json)!);
                continue;
            }
            var evaluator = new RankingEvaluator(tables, negatives(seed), config.EvalBatchSize, config.EvalMinTargetItems);
            var result = ModelCatalog.IsTrainable(config.Model)
                ? TrainSeed(seed, seedDir, evaluator, device, ct)
                : EvaluateFixed(seed, evaluator, ct);
            _observer.OnSeedEnd(seed);
            File.WriteAllText(resultFile + ".tmp", JsonSerializer.Serialize(result, Json));
            File.Move(resultFile + ".tmp", resultFile, overwrite: true);
            results.Add(result);
        }
        return new TrainingResult(config.Model, deviceText, results);
    }

    private SeedResult EvaluateFixed(int seed, RankingEvaluator evaluator, CancellationToken ct)
    {
        var scorer = ModelCatalog.CreateFixed(config.Model, tables, seed);
        var valid = evaluator.Evaluate(scorer, EvalSplit.Valid, ct);
        var test = evaluator.Evaluate(ModelCatalog.CreateFixed(config.Model, tables, seed), EvalSplit.Test, ct);
        return new SeedResult(seed, 0, 0, false, 0, [], valid, test, new Dictionary<string, double>());
    }

    private SeedResult TrainSeed(int seed, string seedDir, RankingEvaluator evaluator, Device device, CancellationToken ct)
    {
        string last = Path.Combine(seedDir, "last"), best = Path.Combine(seedDir, "best");
        torch.manual_seed(seed);
        using var model = ModelCatalog.Create(config.Model, tables, config);
        model.to(device);
        using var optimizer = CreateOptimizer(model);
        var baseRates = model.ParameterGroups(config).Select(g => g.LearningRate).ToArray();
        var state = Checkpoint.ReadState(last);
        if (state is not null)
        {
            if (state.Model != config.Model || state.Seed != seed || !SameTraining(state.Config, config))
                throw new InvalidOperationException($"{last}: checkpoint of another configuration (model {state.Model}, seed {state.Seed}); " +
                                                    "delete it or train without resuming");
            Checkpoint.LoadWeights(last, model);
            Checkpoint.LoadOptimizer(last, optimizer);
            Checkpoint.RestoreRngState(state.TorchRngState);
            _observer.OnStart($"seed {seed}: resuming after epoch {state.Epoch} (best epoch {state.BestEpoch})");
        }
        state ??= new TrainingState { Model = config.Model, Seed = seed, Config = config };

        var scorer = new ModelScorer(model, ModelCatalog.DisplayName(config), device);
        // Users with a next-item example in the sequence the protocol trains on (target_loo: target; mixed_loo: merged).
        var trainUsers = tables.Users.Where(u => tables.SequenceTrain(u).Length > 1).ToArray();
        var sourceItems = tables.SourceItems.Length > 0 ? tables.SourceItems : tables.TargetItems;
        var clock = Stopwatch.StartNew();
        if (model.PretrainEpochs >= config.Epochs)
            throw new ArgumentException($"pretrain_epochs {model.PretrainEpochs} leaves no epoch to train and validate: epochs is {config.Epochs}");
        for (int epoch = state.Epoch + 1; epoch <= config.Epochs && !state.StoppedEarly; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var epochSeed = EpochSeed(seed, epoch);
            var rng = new Random(epochSeed);
            torch.manual_seed(epochSeed);
            var rateFactor = model.LearningRateFactor(state.History, epoch);
            foreach (var (group, rate) in optimizer.ParamGroups.Zip(baseRates)) group.LearningRate = rate * rateFactor;
            var loss = TrainEpoch(model, optimizer, Shuffle(trainUsers, rng), rng, sourceItems, device, seed, epoch, ct);

            EvaluationResult? validation = null;
            var isBest = false;
            if (epoch > model.PretrainEpochs && (epoch % config.EvalEvery == 0 || epoch == config.Epochs))
            {
                validation = evaluator.Evaluate(scorer, EvalSplit.Valid, ct);
                var score = SelectionScore(validation);
                if (score > state.BestScore)
                {
                    (state.BestScore, state.BestEpoch, state.EvaluationsWithoutImprovement, isBest) = (score, epoch, 0, true);
                }
                else
                {
                    state.EvaluationsWithoutImprovement++;
                    // Patience counts epochs since the best one (the same as validations when every epoch is validated).
                    if (config.Patience > 0 && epoch >= config.MinEpochs && epoch - state.BestEpoch >= config.Patience) state.StoppedEarly = true;
                }
            }
            var log = new EpochLog(seed, epoch, loss, epochClock.Elapsed.TotalSeconds, validation?.Sampled, validation?.Full, isBest);
            state.History.Add(log);
            state.Epoch = epoch;
            state.TorchRngState = Checkpoint.SerializeRngState();
            state.NextEpochSeed = EpochSeed(seed, epoch + 1);
            if (isBest) Checkpoint.Save(best, model, optimizer, state);
            Checkpoint.Save(last, model, optimizer, state);
            _observer.OnEpoch(log, Describe(log, state) + (rateFactor == 1 ? "" : $" | lr ×{rateFactor.ToString("G4", CultureInfo.InvariantCulture)}"));
        }
        if (Checkpoint.ReadState(best) is null) throw new InvalidOperationException($"{seedDir}: training ended without a validated checkpoint");
        Checkpoint.LoadWeights(best, model);
        var valid = evaluator.Evaluate(scorer, EvalSplit.Valid, ct);
        var test = evaluator.Evaluate(scorer, EvalSplit.Test, ct); // the only time this seed sees the test split
        return new SeedResult(seed, state.BestEpoch, state.Epoch, state.StoppedEarly, clock.Elapsed.TotalSeconds, state.History, valid, test,
            model.LearnedWeights);
    }

    private double TrainEpoch(RecommenderModel model, TorchSharp.Modules.Adam optimizer, FeatureTables.UserRow[] users, Random rng, int[] sourceItems,
        Device device, int seed, int epoch, CancellationToken ct)
    {
        model.train();
        var targetSampler = new NegativeSampler(tables.SequenceItems, rng);
        var sourceSampler = new NegativeSampler(sourceItems, rng);
        double total = 0;
        var batches = (users.Length + config.BatchSize - 1) / config.BatchSize;
        for (int b = 0; b < batches; b++)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = new TrainingBatch
            {
                Users = new ArraySegment<FeatureTables.UserRow>(users, b * config.BatchSize, Math.Min(config.BatchSize, users.Length - b * config.BatchSize)),
                TargetNegatives = targetSampler, SourceNegatives = sourceSampler, Random = rng, Device = device, Epoch = epoch,
            };
            var loss = model.Loss(batch);
            // A batch with nothing to learn from (C2DSR drops sequences without a next item in each domain, as its
            // loader does) gives a constant: no step, and its zero still counts in the epoch's mean.
            if (loss.requires_grad)
            {
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
            total += loss.item<float>();
            _observer.OnBatch(seed, epoch, b + 1, batches);
        }
        return batches == 0 ? 0 : total / batches;
    }

    /// <summary>
    /// The validation score that selects checkpoints: the select metric over every case, or under mixed_loo its mean
    /// over the two domains (ABXI selects on MRR_A + MRR_B: each domain counts the same however many cases it has).
    /// </summary>
    private double SelectionScore(EvaluationResult validation)
    {
        Func<IReadOnlyDictionary<string, double>, double> pick = m => m[config.SelectMetric];
        if (!tables.IsMixedLoo || validation.Domains is not { Count: > 0 } domains)
            return pick(config.SelectProtocol == "full" ? validation.Full : validation.Sampled);
        return domains.Values.Average(d => pick(config.SelectProtocol == "full" ? d.Full : d.Sampled));
    }

    private KeptScalarAdam CreateOptimizer(RecommenderModel model)
    {
        // Adam with SASRec's β = (0.9, 0.98) unless the model's reference uses another (ABXI: AdamW); a model may ask for
        // several learning rates (SemaCDR does).
        var o = model.Optimizer;
        var groups = model.ParameterGroups(config)
            .Select(g => new TorchSharp.Modules.Adam.ParamGroup(g.Parameters, new TorchSharp.Modules.Adam.Options { LearningRate = g.LearningRate, beta1 = o.Beta1, beta2 = o.Beta2, weight_decay = config.WeightDecay }))
            .ToList();
        return new KeptScalarAdam(groups, config.LearningRate, o.Beta1, o.Beta2, config.WeightDecay) { DecoupledWeightDecay = o.DecoupledWeightDecay };
    }

    private static FeatureTables.UserRow[] Shuffle(FeatureTables.UserRow[] users, Random rng)
    {
        var copy = (FeatureTables.UserRow[])users.Clone();
        rng.Shuffle(copy);
        return copy;
    }

    /// <summary>Deterministic across processes (unlike HashCode), so a resumed epoch draws what the uninterrupted one would.</summary>
    public static int EpochSeed(int seed, int epoch) => unchecked(seed * 1_000_003 + epoch * 7_919 + 17);

    private static bool SameTraining(TrainingConfig? saved, TrainingConfig current) =>
        saved is not null && JsonSerializer.Serialize(saved with { Epochs = 0, Patience = 0, MinEpochs = 0 }) == JsonSerializer.Serialize(current with { Epochs = 0, Patience = 0, MinEpochs = 0 });

    private string Describe(EpochLog log, TrainingState state)
    {
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        // Metrics in %, two decimals: the unit of the test lines and of every results table.
        string P(double v) => (100 * v).ToString("F2", CultureInfo.InvariantCulture);
        var line = $"seed {log.Seed} epoch {log.Epoch}/{config.Epochs} loss {F(log.Loss)}";
        if (log.ValidationFull is { } full && log.ValidationSampled is { } sampled)
            line += $" | valid full NDCG@10 {P(full["NDCG@10"])} HR@10 {P(full["HR@10"])} | sampled NDCG@10 {P(sampled["NDCG@10"])} HR@10 {P(sampled["HR@10"])} (%)" +
                    (log.IsBest ? " *best*" : $" (best {P(state.BestScore)} at {state.BestEpoch})");
        return line + $" | {log.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s" + (state.StoppedEarly ? " | early stop" : "");
    }

    private sealed class SilentObserver : ITrainingObserver;
}
