using System.Text.Json;
using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Negatives;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Training;
using YamlDotNet.RepresentationModel;

namespace CrossDomain.Stages.Train;

/// <summary>
/// train: one model on one direction's feature tables, every seed. Early stopping and checkpoint selection on
/// validation; the test split scored once per seed with the chosen checkpoint; both protocols always. Work in
/// progress lives in <c>artifacts/.cache/train/&lt;stage&gt;/&lt;fingerprint&gt;</c>, so a run that was cut off
/// continues from its last checkpoint when the stage runs again (unless <c>--resume false</c>).
/// </summary>
public sealed class TrainStage : StageKind<TrainParams>
{
    public override string Name => "train";
    public override int Version => 2;
    public override string Description => "Trains and evaluates one model for every seed (early stopping on validation, test scored once, sampled and full ranking).";

    public override IReadOnlyList<string> RequiredInputs(TrainParams p) => ["items", "users", "manifest", "negatives"];

    /// <summary>The chosen model's defaults file, beneath the pipeline's defaults.train and the stage's params.</summary>
    public override YamlMappingNode? ParamDefaults(YamlMappingNode parameters)
    {
        var model = parameters.Children.TryGetValue(new YamlScalarNode("model"), out var m) && m is YamlScalarNode { Value: { } name } ? name : new TrainParams().Model;
        if (!ModelCatalog.Names.Contains(model) || ModelCatalog.DefaultsYaml(model) is not { } text) return null;
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode;
    }

    public override IReadOnlyList<OutputSpec> Outputs(TrainParams p) =>
    [
        new("results", "results.parquet"),
        new("history", "history.parquet"),
        new("summary", "summary.json"),
        new("checkpoints", "checkpoints", IsDirectory: true),
        new("item_representations", "item_representations.parquet"),
    ];

    public override async Task RunAsync(StageContext ctx, TrainParams p, CancellationToken ct)
    {
        var tables = await FeatureTables.LoadAsync(ctx.Input("items"), ctx.Input("users"), ctx.Input("manifest"), ct);
        var direction = Direction(tables.Manifest);
        var negatives = new Dictionary<int, SampledNegatives>();
        var folder = new NegativesFolder(ctx.Input("negatives"));
        foreach (var seed in p.Seeds)
            negatives[seed] = await folder.LoadAsync(seed, p.Negatives, ctx.Input("users"), ct);

        TrainingConfig config = p;
        var work = Path.Combine(ctx.ArtifactsRoot, ".cache", "train", ctx.StageName, ctx.Fingerprint.Replace("xxh128:", "")[..16]);
        if (!ctx.Resume && Directory.Exists(work)) Directory.Delete(work, recursive: true);
        if (Directory.Exists(work) && Directory.EnumerateDirectories(work).Any())
            ctx.Progress.Info($"found the work of a cut-off run in {Path.GetRelativePath(ctx.ProjectRoot, work)}; continuing it");
        using var observer = new StageTrainingObserver(ctx.Progress, p.Epochs);
        // Training is synchronous CPU work with thread-local dispose scopes: one dedicated thread.
        var result = await Task.Factory.StartNew(() => new TrainingRun(tables, config, work, observer).Run(s => negatives[s], ct),
            ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var model = p.Label.Length > 0 ? p.Label : ModelCatalog.DisplayName(config);
        var rows = new List<ResultRow>();
        foreach (var s in result.Seeds)
            foreach (var (split, r) in new[] { ("valid", s.Valid), ("test", s.Test) })
                foreach (var (column, sampled, full) in Columns(tables, direction, r))
                    foreach (var (protocol, metrics) in new[] { ("sampled", sampled), ("full", full) })
                        foreach (var (metric, value) in metrics)
                            rows.Add(new ResultRow
                            {
                                Direction = column, Model = model, Stage = ctx.StageName, Seed = s.Seed, Split = split, Protocol = protocol,
                                Metric = metric, Value = value, BestEpoch = s.BestEpoch, Epochs = s.Epochs,
                            });
        var meta = ctx.ArtifactMetadata.ToDictionary();
        meta["crossdomain.model"] = p.Model;
        meta["crossdomain.direction"] = direction;
        meta["crossdomain.device"] = result.Device;
        await ParquetArtifact.WriteAsync(rows, ctx.Output("results"), meta, ct);
        await ParquetArtifact.WriteAsync(result.Seeds.SelectMany(s => s.History).Select(h => History(model, h)).ToList(), ctx.Output("history"), meta, ct);
        CopyCheckpoints(work, ctx.Output("checkpoints"), p.Seeds);
        await ParquetArtifact.WriteAsync(ItemRepresentationsExport.Read(tables, config, ctx.Output("checkpoints")), ctx.Output("item_representations"), meta, ct);
        var summary = new TrainSummary
        {
            Model = model, Direction = direction, Device = result.Device,
            Loss = ModelCatalog.IsTrainable(p.Model) ? NextItemObjective.Name(ModelCatalog.Loss(config)) : null,
            Extractor = tables.Manifest.TryGetProperty("extractor", out var e) ? e.GetString() : null,
            Synthetic = tables.Manifest.TryGetProperty("synthetic", out var syn) && syn.GetBoolean(),
            // The note on same-day source interactions concerns target_loo's held-out target items (docs/protocols.md has mixed_loo's ties).
            SameDaySourceTestItems = tables.IsMixedLoo ? 0 : tables.Users.Count(u => u.SourceTestInputTimestamps.Contains(u.TestTimestamp)), TestUsers = tables.Users.Count,
            Config = config,
            Seeds = result.Seeds.Select(s => new TrainSummary.SeedSummary(s.Seed, s.BestEpoch, s.Epochs, s.StoppedEarly, s.TrainSeconds,
                s.Test.Full, s.Test.Sampled, s.LearnedWeights ?? NoWeights)).ToList(),
            TestFull = Summaries(result.Seeds.Select(s => s.Test.Full)),
            TestSampled = Summaries(result.Seeds.Select(s => s.Test.Sampled)),
        };
        await File.WriteAllTextAsync(ctx.Output("summary"), summary.ToJson(), ct);
        foreach (var protocol in new[] { "full", "sampled" })
            ctx.Progress.Info($"{model} {direction} test ({protocol}): " + string.Join(", ", new[] { "HR@10", "NDCG@10", "MRR" }.Select(m =>
                $"{m} {SeedStatistics.Format(result.Seeds.Select(s => (protocol == "full" ? s.Test.Full : s.Test.Sampled)[m] * 100).ToList())}")) + " (%)");
        var learned = result.Seeds.Select(s => s.LearnedWeights ?? NoWeights).ToList();
        if (learned[0].Count > 0)
            ctx.Progress.Info($"{model} {direction} learned weights: " + string.Join(", ", learned[0].Keys.Select(k =>
                $"{k} {SeedStatistics.Format(learned.Select(w => w.GetValueOrDefault(k, double.NaN)).ToList())}")));
        Directory.Delete(work, recursive: true);
    }

    // A seed result written before learned weights were recorded has none.
    private static readonly IReadOnlyDictionary<string, double> NoWeights = new Dictionary<string, double>();

    /// <summary>"food→kitchen" under target_loo; "food+kitchen" (every case of both domains) under mixed_loo.</summary>
    public static string Direction(JsonElement manifest) =>
        manifest.TryGetProperty("source", out var s) && manifest.TryGetProperty("target", out var t)
            ? $"{s.GetString()}{(manifest.TryGetProperty("protocol", out var p) && p.GetString() == FeatureTables.MixedLoo ? "+" : "→")}{t.GetString()}"
            : "target";

    /// <summary>
    /// The results table's columns of one evaluation: the direction under target_loo; under mixed_loo also each domain
    /// by name (its cases only), the figures C2DSR and ABXI report.
    /// </summary>
    private static IEnumerable<(string Column, IReadOnlyDictionary<string, double> Sampled, IReadOnlyDictionary<string, double> Full)> Columns(
        FeatureTables tables, string direction, EvaluationResult r)
    {
        yield return (direction, r.Sampled, r.Full);
        if (!tables.IsMixedLoo || r.Domains is null) yield break;
        foreach (var (role, d) in r.Domains)
        {
            var name = tables.Manifest.TryGetProperty(role, out var n) ? n.GetString() ?? role : role;
            yield return (name, d.Sampled, d.Full);
        }
    }

    private static Dictionary<string, TrainSummary.MeanStd> Summaries(IEnumerable<IReadOnlyDictionary<string, double>> perSeed)
    {
        var list = perSeed.ToList();
        return list[0].Keys.ToDictionary(k => k, k =>
        {
            var (mean, std) = SeedStatistics.MeanStd(list.Select(m => m[k]).ToList());
            return new TrainSummary.MeanStd(mean, std);
        });
    }

    private static HistoryRow History(string model, EpochLog h) => new()
    {
        Model = model, Seed = h.Seed, Epoch = h.Epoch, Loss = h.Loss, Seconds = h.Seconds, IsBest = h.IsBest,
        ValidFullHr10 = h.ValidationFull?["HR@10"], ValidFullNdcg10 = h.ValidationFull?["NDCG@10"], ValidFullMrr = h.ValidationFull?["MRR"],
        ValidSampledHr10 = h.ValidationSampled?["HR@10"], ValidSampledNdcg10 = h.ValidationSampled?["NDCG@10"], ValidSampledMrr = h.ValidationSampled?["MRR"],
    };

    private static void CopyCheckpoints(string work, string output, IEnumerable<int> seeds)
    {
        Directory.CreateDirectory(output);
        foreach (var seed in seeds)
            foreach (var which in new[] { "best", "last" })
            {
                var from = Path.Combine(work, $"seed_{seed}", which);
                if (!Directory.Exists(from)) continue; // fixed rankers have no checkpoint
                var to = Path.Combine(output, $"seed_{seed}", which);
                Directory.CreateDirectory(to);
                foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
            }
    }
}
