using System.Globalization;
using System.Text;
using CrossDomain.Stages.Shared;
using CrossDomain.Stages.Train;
using CrossDomain.Trainer.Evaluation;

namespace CrossDomain.Stages.Evaluate;

/// <summary>
/// Every model against one reference model of the same direction, seed by seed: the test metric's difference
/// (model − reference, in points) as mean ± std over the seeds both ran, and on how many of them the model was ahead.
/// Pairing by seed removes what the seeds share (the same negatives, the same data order), so a difference smaller
/// than either model's spread over seeds can still be consistent; the count says whether it is.
/// </summary>
public static class PairedDifferences
{
    public static readonly string[] Metrics = ["NDCG@10", "HR@10"];

    /// <summary>One table per reference, in the order given; every other model is paired against each of them.</summary>
    public static string Markdown(IReadOnlyList<string> references, IReadOnlyList<ResultRow> rows) =>
        string.Concat(references.Where(r => !string.IsNullOrEmpty(r)).Select(r => Markdown(r, rows)));

    public static string Markdown(string reference, IReadOnlyList<ResultRow> rows)
    {
        if (string.IsNullOrEmpty(reference)) return "";
        var test = rows.Where(r => r.Split == "test").ToList();
        if (!test.Any(r => r.Model == reference))
            throw new CrossDomain.Engine.Stages.StageException($"paired_with: no model '{reference}' among the results (models: {string.Join(", ", test.Select(r => r.Model).Distinct())})");
        var sb = new StringBuilder($"## Paired differences against {reference}\n\n");
        sb.AppendLine($"Test split, per seed: the model's value minus {reference}'s on the same seed, in points, mean ± std over the seeds " +
                      "both ran; \"ahead\" counts the seeds where the model's value was higher.\n");
        var table = new MarkdownTable([MarkdownTable.Text("model"), MarkdownTable.Text("direction"), MarkdownTable.Text("protocol"),
            .. Metrics.SelectMany(m => new[] { MarkdownTable.Number($"Δ {m}"), MarkdownTable.Number($"ahead ({m})") })]);
        foreach (var direction in test.Select(r => r.Direction).Distinct())
            foreach (var protocol in new[] { "sampled", "full" })
                foreach (var model in test.Where(r => r.Direction == direction && r.Model != reference).Select(r => r.Model).Distinct())
                {
                    var cells = new List<string>();
                    foreach (var metric in Metrics)
                    {
                        double? Value(string m, int seed) => test.FirstOrDefault(r => r.Direction == direction && r.Model == m && r.Protocol == protocol && r.Metric == metric && r.Seed == seed)?.Value;
                        var pairs = test.Where(r => r.Direction == direction && r.Model == model && r.Protocol == protocol && r.Metric == metric)
                            .Select(r => (Model: r.Value, Reference: Value(reference, r.Seed))).Where(p => p.Reference is not null).ToList();
                        if (pairs.Count == 0) { cells.Add("–"); cells.Add("–"); continue; }
                        var differences = pairs.Select(p => (p.Model - p.Reference!.Value) * 100).ToList();
                        var (mean, std) = SeedStatistics.MeanStd(differences);
                        cells.Add($"{mean.ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture)} ± {std.ToString("F2", CultureInfo.InvariantCulture)}");
                        cells.Add($"{pairs.Count(p => p.Model > p.Reference!.Value)} of {pairs.Count}");
                    }
                    table.Add([model, direction, protocol, .. cells]);
                }
        return sb.Append(table).AppendLine().ToString();
    }
}
