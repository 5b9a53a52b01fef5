using CrossDomain.Stages.Train;
using CrossDomain.Trainer.Evaluation;

namespace CrossDomain.Stages.Report;

/// <summary>
/// Results tables in the papers' layout: one row per model, one column per direction and metric, mean ± std over
/// seeds on the test split in %, the best mean of each column in bold and the second underlined, and a
/// relative-improvement row per proposed model over the strongest baseline of that column ("RelaImpr").
/// </summary>
public static class ResultTables
{
    public static readonly string[] Metrics = ["NDCG@5", "NDCG@10", "HR@5", "HR@10", "MRR"];

    public static string Short(string metric) => metric.Replace("NDCG", "N");

    /// <summary>Mean and std (in %) of one model, direction, protocol and metric over seeds on the test split; null when absent.</summary>
    public static (double Mean, double Std, int Seeds)? Stat(IEnumerable<ResultRow> rows, string model, string direction, string protocol, string metric)
    {
        var values = rows.Where(r => r.Split == "test" && r.Model == model && r.Direction == direction && r.Protocol == protocol && r.Metric == metric)
            .Select(r => r.Value * 100).ToList();
        if (values.Count == 0) return null;
        var (mean, std) = SeedStatistics.MeanStd(values);
        return (mean, std, values.Count);
    }

    public static ReportTable Build(IList<ResultRow> rows, string protocol, IReadOnlyCollection<string> baselines, string? caption = null)
    {
        var models = rows.Select(r => r.Model).Distinct().ToList();
        var directions = rows.Select(r => r.Direction).Distinct().ToList();
        var columns = directions.SelectMany(d => Metrics.Select(m => (Direction: d, Metric: m))).ToList();
        var table = new ReportTable
        {
            Caption = caption,
            Headers = ["model", .. columns.Select((c, i) => i % Metrics.Length == 0 ? $"{c.Direction} {Short(c.Metric)}" : Short(c.Metric))],
            Numeric = [.. Enumerable.Range(1, columns.Count)],
        };
        var cells = models.Select(m => new List<ReportCell> { new(m) }).ToList();
        var means = new double?[models.Count, columns.Count];
        for (int c = 0; c < columns.Count; c++)
            for (int m = 0; m < models.Count; m++)
            {
                var s = Stat(rows, models[m], columns[c].Direction, protocol, columns[c].Metric);
                means[m, c] = s?.Mean;
                cells[m].Add(new ReportCell(s is null ? "–" : s.Value.Seeds > 1 ? $"{s.Value.Mean:F2} ± {s.Value.Std:F2}" : $"{s.Value.Mean:F2}"));
            }
        for (int c = 0; c < columns.Count; c++)
        {
            // Best and second by mean; ties share the mark.
            var ranked = Enumerable.Range(0, models.Count).Where(m => means[m, c] is not null).Select(m => means[m, c]!.Value).Distinct().OrderDescending().ToList();
            for (int m = 0; m < models.Count; m++)
            {
                if (means[m, c] is not { } v) continue;
                if (ranked.Count > 0 && v == ranked[0]) cells[m][c + 1].Bold = true;
                else if (ranked.Count > 1 && v == ranked[1]) cells[m][c + 1].Underline = true;
            }
        }
        table.Rows.AddRange(cells);
        var anyBaseline = models.Any(baselines.Contains);
        foreach (var (model, m) in models.Select((x, i) => (x, i)).Where(p => anyBaseline && !baselines.Contains(p.x)))
        {
            var row = new List<ReportCell> { new($"RelaImpr of {model} (%)") };
            for (int c = 0; c < columns.Count; c++)
            {
                var best = Enumerable.Range(0, models.Count).Where(b => baselines.Contains(models[b]) && means[b, c] is not null).Select(b => means[b, c]!.Value).DefaultIfEmpty(double.NaN).Max();
                row.Add(means[m, c] is { } v && best > 0 ? $"{(v - best) / best * 100:+0.0;-0.0;0.0}" : "–");
            }
            table.Rows.Add(row);
        }
        return table;
    }
}
