using System.Diagnostics;
using System.Globalization;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Benchmarks;

/// <summary>
/// Training throughput (sequences/s, seconds per epoch) and full-ranking evaluation throughput (users/s) of one
/// model on a features folder, plus where training got to (validation and test, both protocols) against the
/// popularity and random rankers.
/// </summary>
public static class TrainBenchmark
{
    public static async Task RunAsync(string features, TrainingConfig config, int negativesCount = 100)
    {
        var tables = await FeatureTables.LoadAsync(features);
        var seed = config.Seeds[0];
        var model = config.Model;
        var negatives = SampledNegatives.Draw(tables, negativesCount, seed);
        var work = Directory.CreateTempSubdirectory("crossdomain-train-bench-").FullName;
        var observer = new TimingObserver();
        try
        {
            var result = new TrainingRun(tables, config, work, observer).Run(_ => negatives);
            var s = result.Seeds[0];
            var trainUsers = tables.Users.Count(u => tables.SequenceTrain(u).Length > 1);
            var trainSeconds = s.History.Select(h => h.Seconds).ToList();
            Console.WriteLine($"{ModelCatalog.DisplayName(model)} on {features}: {tables.Users.Count} users ({trainUsers} with ≥ 2 training items), " +
                              $"{tables.TargetItems.Length} target items, protocol {tables.Protocol}, {Environment.ProcessorCount} cores, device {result.Device}");
            Console.WriteLine($"epochs run {s.Epochs}, best epoch {s.BestEpoch}, stopped early {s.StoppedEarly}");
            var medianTrain = Median(observer.TrainSeconds);
            Console.WriteLine($"training epoch (median, without validation): {F(medianTrain)} s, {F(trainUsers / medianTrain)} sequences/s");
            Console.WriteLine($"epoch with validation (median): {F(Median(trainSeconds))} s");

            // Full-ranking evaluation throughput on the best checkpoint, timed alone.
            using var trained = ModelCatalog.Create(model, tables, config);
            Checkpoint.LoadWeights(Path.Combine(work, $"seed_{seed}", "best"), trained);
            var evaluator = new RankingEvaluator(tables, negatives, config.EvalBatchSize);
            var scorer = new ModelScorer(trained, model, TorchSharp.torch.CPU);
            evaluator.Evaluate(scorer, EvalSplit.Test); // warm-up
            var times = Enumerable.Range(0, 5).Select(_ => { var c = Stopwatch.StartNew(); evaluator.Evaluate(scorer, EvalSplit.Test); return c.Elapsed.TotalSeconds; }).ToList();
            Console.WriteLine($"evaluation of all {tables.Users.Count} users (full + sampled ranking, median of 5): {F(Median(times))} s, {F(tables.Users.Count / Median(times))} users/s");

            foreach (var (name, r) in new[] { (ModelCatalog.DisplayName(model), s.Valid), ("Popularity", evaluator.Evaluate(new PopularityScorer(tables), EvalSplit.Valid)), ("Random", evaluator.Evaluate(new RandomScorer(seed), EvalSplit.Valid)) })
                Console.WriteLine($"valid {name,-10} full HR@10 {F(r.Full["HR@10"])} NDCG@10 {F(r.Full["NDCG@10"])} | sampled HR@10 {F(r.Sampled["HR@10"])} NDCG@10 {F(r.Sampled["NDCG@10"])}");
            Console.WriteLine($"test  {ModelCatalog.DisplayName(model),-10} full HR@10 {F(s.Test.Full["HR@10"])} NDCG@10 {F(s.Test.Full["NDCG@10"])} | sampled HR@10 {F(s.Test.Sampled["HR@10"])} NDCG@10 {F(s.Test.Sampled["NDCG@10"])}");
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    private static double Median(IReadOnlyList<double> values) => EngineBenchmark.Median(values);
    private static string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);

    private sealed class TimingObserver : ITrainingObserver
    {
        private Stopwatch _clock = new();
        public List<double> TrainSeconds { get; } = [];
        public void OnStart(string message) => Console.WriteLine(message);
        public void OnBatch(int seed, int epoch, int done, int total)
        {
            if (done == 1) _clock = Stopwatch.StartNew(); // first batch timed from its end: close enough, and excludes shuffling
            if (done == total) TrainSeconds.Add(_clock.Elapsed.TotalSeconds * total / Math.Max(1, total - 1));
        }
        public void OnEpoch(EpochLog log, string line) => Console.WriteLine(line);
    }
}
