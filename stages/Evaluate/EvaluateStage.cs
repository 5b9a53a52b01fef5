using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Shared;
using CrossDomain.Stages.Train;
using CrossDomain.Trainer.Evaluation;

namespace CrossDomain.Stages.Evaluate;

/// <summary>
/// evaluate: gathers the <c>results</c> of every train stage among its deps into one table: all per-seed rows
/// (<c>results.parquet</c>), mean ± std per model, direction, split, protocol and metric (<c>summary.parquet</c>),
/// and <c>results.md</c> with the test split in the layout of the papers' Table 1 under both protocols, then every
/// metric. Models come in the order of the deps.
/// </summary>
public sealed class EvaluateStage : StageKind<EvaluateParams>
{
    public override string Name => "evaluate";
    public override int Version => 4; // 2: how each checkpoint was chosen, and reference figures; 3: each stage's loss; 4: the same-day note
    public override string Description => "Collects train stages' results: per-seed and mean ± std Parquet tables and a Markdown Table 1 (sampled and full ranking).";

    public override IReadOnlyList<OutputSpec> Outputs(EvaluateParams p) =>
    [
        new("results", "results.parquet"),
        new("summary", "summary.parquet"),
        new("table", "results.md"),
    ];

    public sealed class SummaryRow
    {
        [JsonPropertyName("direction")] public string Direction { get; set; } = "";
        [JsonPropertyName("model")] public string Model { get; set; } = "";
        [JsonPropertyName("split")] public string Split { get; set; } = "";
        [JsonPropertyName("protocol")] public string Protocol { get; set; } = "";
        [JsonPropertyName("metric")] public string Metric { get; set; } = "";
        [JsonPropertyName("mean")] public double Mean { get; set; }
        [JsonPropertyName("std")] public double Std { get; set; }
        [JsonPropertyName("seeds")] public int Seeds { get; set; }
    }

    public override async Task RunAsync(StageContext ctx, EvaluateParams p, CancellationToken ct)
    {
        var inputs = ctx.Upstream.Where(u => u.Name == "results").ToList();
        if (inputs.Count == 0)
            throw new StageException($"stage '{ctx.StageName}' has no train stage among its deps (it reads every dep's 'results' output)");
        var rows = new List<ResultRow>();
        foreach (var input in inputs)
        {
            var read = await ParquetArtifact.ReadAsync<ResultRow>(input.Path, ct);
            if (read.Count == 0) throw new StageException($"{input.Path}: no result rows");
            rows.AddRange(read);
        }
        // One label, direction and seed from two stages (variants without their own label) are told apart by stage;
        // one label split over stages by seed (a matrix over seeds) is one model.
        var ambiguous = rows.GroupBy(r => (r.Direction, r.Model, r.Seed)).Where(g => g.Select(r => r.Stage).Distinct().Count() > 1)
            .Select(g => (g.Key.Direction, g.Key.Model)).ToHashSet();
        foreach (var r in rows.Where(r => ambiguous.Contains((r.Direction, r.Model)))) r.Model = $"{r.Model} [{r.Stage}]";

        var summary = rows.GroupBy(r => (r.Direction, r.Model, r.Split, r.Protocol, r.Metric)).Select(g =>
        {
            var v = g.Select(r => r.Value).ToList();
            var (mean, std) = SeedStatistics.MeanStd(v);
            return new SummaryRow
            {
                Direction = g.Key.Direction, Model = g.Key.Model, Split = g.Key.Split, Protocol = g.Key.Protocol, Metric = g.Key.Metric,
                Mean = mean, Std = std, Seeds = v.Count,
            };
        }).ToList();
        var meta = ctx.ArtifactMetadata;
        await ParquetArtifact.WriteAsync(rows, ctx.Output("results"), meta, ct);
        await ParquetArtifact.WriteAsync(summary, ctx.Output("summary"), meta, ct);
        var summaries = ctx.Upstream.Where(u => u.Name == "summary" && File.Exists(u.Path)).Select(u => (u.Stage, Summary: TrainSummary.Load(u.Path))).ToList();
        var markdown = Markdown(p.Title, rows, Provenance(summaries)) + Selection(summaries) + References(p.References, rows) + PairedDifferences.Markdown(p.PairedWith, rows);
        await File.WriteAllTextAsync(ctx.Output("table"), markdown, ct);
        ctx.Progress.Info($"{rows.Select(r => (r.Direction, r.Model)).Distinct().Count()} model × direction results from {inputs.Count} train stage(s)");
    }

    /// <summary>Which semantics and data the models saw, from the train stages' summaries (never presented as LLM output when it is not).</summary>
    private static List<string> Provenance(IReadOnlyList<(string Stage, TrainSummary Summary)> summaries)
    {
        var notes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (_, summary) in summaries)
        {
            if (summary.Extractor is { } extractor) notes.Add($"Semantics provider: {extractor}.");
            if (summary.Synthetic) notes.Add("Data: synthetic (generated by the synthesize stage), not Amazon reviews.");
            if (summary.Device is { } device) notes.Add($"Device: {device}.");
            if (summary.SameDaySourceTestItems > 0 && summary.TestUsers > 0)
                notes.Add($"{summary.Direction}: {summary.SameDaySourceTestItems:N0} of {summary.TestUsers:N0} test items ({summary.SameDaySourceTestItems / (double)summary.TestUsers:P1}) " +
                          "share their day with a source interaction in the user's inputs (sequences' cross_domain_ties: source_first). The order within a day is unknown, " +
                          "so that interaction may have come after the item: the cross-domain rows read it (SemaCDR's mixed sequence and user vector, not its cross-attention; " +
                          "TEMA-LLM's source and mixed sequences) and are optimistic by what it is worth; target-only rows never see the source domain. target_first keeps it out.");
        }
        return [.. notes];
    }

    /// <summary>How each train stage chose its checkpoint and whom it scored, from its summary's config.</summary>
    private static string Selection(IReadOnlyList<(string Stage, TrainSummary Summary)> summaries)
    {
        var table = new MarkdownTable(MarkdownTable.Text("train stage"), MarkdownTable.Text("loss"), MarkdownTable.Text("selection"),
            MarkdownTable.Text("early stopping"), MarkdownTable.Text("scored"));
        foreach (var (stage, summary) in summaries)
        {
            if (summary.Config is not { } c) continue;
            if (c.Model is "popularity" or "random") { table.Add(stage, "", "fixed ranker: no checkpoint", "", ""); continue; }
            // Summaries written before the loss family name none: the model then trained with its own objective.
            var loss = summary.Loss ?? "the model's own";
            var stop = c.Patience == 0 ? "none (the whole budget)" : $"{c.Patience} epochs without a better validation" + (c.MinEpochs > 0 ? $", not before epoch {c.MinEpochs}" : "");
            var scored = c.EvalMinTargetItems > 0 ? $"users with ≥ {c.EvalMinTargetItems} target interactions" : "every user";
            table.Add(stage, loss, $"validation {c.SelectProtocol} {c.SelectMetric}, every {c.EvalEvery} epoch(s), at most {c.Epochs}", stop, scored);
        }
        return table.Count == 0 ? "" : "## How each checkpoint was chosen\n\n" + table + "\n";
    }

    /// <summary>Reference figures beside our mean ± std of the same model, direction, protocol and metric, with the difference.</summary>
    public static string References(IReadOnlyList<ReferenceFigures> references, IReadOnlyList<ResultRow> rows)
    {
        if (references.Count == 0) return "";
        var table = new MarkdownTable(MarkdownTable.Text("model"), MarkdownTable.Text("direction"), MarkdownTable.Text("protocol"), MarkdownTable.Text("metric"),
            MarkdownTable.Number("ours"), MarkdownTable.Number("reference"), MarkdownTable.Number("ours − reference"), MarkdownTable.Text("source"));
        foreach (var r in references)
            foreach (var (metric, value) in r.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var ours = rows.Where(x => x.Split == "test" && x.Model == r.Model && x.Direction == r.Direction && x.Protocol == r.Protocol && x.Metric == metric)
                    .Select(x => x.Value * 100).ToList();
                var oursText = ours.Count == 0 ? "–" : SeedStatistics.Format(ours);
                var diff = ours.Count == 0 ? "–" : (ours.Average() - value).ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture);
                table.Add(r.Model, r.Direction, r.Protocol, metric, oursText, value.ToString("F2", CultureInfo.InvariantCulture), diff, r.Source);
            }
        return "## Reference figures\n\n" + table + "\n";
    }

    public static string Markdown(string title, IReadOnlyList<ResultRow> rows, IReadOnlyList<string> notes)
    {
        var test = rows.Where(r => r.Split == "test").ToList();
        var runs = test.GroupBy(r => (r.Direction, r.Model, r.Seed)).Select(g =>
        {
            IReadOnlyDictionary<string, double> Metrics(string protocol) => g.Where(r => r.Protocol == protocol).ToDictionary(r => r.Metric, r => r.Value);
            return (g.Key.Direction, g.Key.Model, new EvaluationResult(g.Key.Model, EvalSplit.Test, 0, Metrics("sampled"), Metrics("full")));
        }).ToList();
        var seeds = test.GroupBy(r => (r.Direction, r.Model)).Select(g => g.Select(r => r.Seed).Distinct().Count()).ToList();
        var sb = new StringBuilder($"# {title}\n\n");
        sb.AppendLine($"Test split, leave-one-out on the target domain, in %, mean ± std over {string.Join("/", seeds.Distinct().Order())} seed(s) " +
                      "(sample standard deviation). Checkpoints chosen on validation; the test split was scored once per seed. " +
                      "Ties count against the target.\n");
        foreach (var n in notes) sb.AppendLine($"- {n}");
        if (notes.Count > 0) sb.AppendLine();
        sb.AppendLine("## Sampled ranking (the papers' protocol: the target against its saved negatives), Table 1 layout\n");
        sb.AppendLine(Table1.Markdown(runs, sampled: true));
        sb.AppendLine("## Full ranking (the target against every target-domain item outside the user's history)\n");
        sb.AppendLine(Table1.Markdown(runs, sampled: false));
        sb.AppendLine("## Every metric\n");
        var metrics = new[] { "HR@1", "HR@5", "HR@10", "HR@20", "NDCG@5", "NDCG@10", "NDCG@20", "MRR" };
        foreach (var direction in test.Select(r => r.Direction).Distinct())
            foreach (var protocol in new[] { "sampled", "full" })
            {
                sb.AppendLine($"### {direction}, {protocol} ranking\n");
                var table = new MarkdownTable([MarkdownTable.Text("model"), .. metrics.Select(MarkdownTable.Number), MarkdownTable.Number("best epoch")]);
                foreach (var model in test.Where(r => r.Direction == direction).Select(r => r.Model).Distinct())
                {
                    var mine = test.Where(r => r.Direction == direction && r.Model == model && r.Protocol == protocol).ToList();
                    var cells = metrics.Select(m => mine.Where(r => r.Metric == m).Select(r => r.Value * 100).ToList())
                        .Select(v => v.Count == 0 ? "–" : SeedStatistics.Format(v));
                    var epochs = mine.GroupBy(r => r.Seed).Select(g => g.First().BestEpoch).ToList();
                    table.Add([model, .. cells, string.Join(", ", epochs.Select(e => e.ToString(CultureInfo.InvariantCulture)))]);
                }
                sb.Append(table).AppendLine();
            }
        return sb.ToString();
    }
}
