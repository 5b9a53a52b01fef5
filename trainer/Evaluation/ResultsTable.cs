using System.Globalization;
using System.Text;

namespace CrossDomain.Trainer.Evaluation;

/// <summary>
/// The papers' Table 1 layout: one row per model, columns N@5, N@10, HR@5, HR@10 per direction, as mean ± std over
/// seeds, in percent; one table per protocol.
/// </summary>
public static class ResultsTable
{
    private static readonly string[] Columns = ["NDCG@5", "NDCG@10", "HR@5", "HR@10"];
    private static readonly string[] Headers = ["N@5", "N@10", "HR@5", "HR@10"];

    /// <param name="runs">(direction, model, one seed's test result) triples.</param>
    public static string ToMarkdown(IEnumerable<(string Direction, string Model, EvaluationResult Result)> runs, bool sampled)
    {
        var list = runs.ToList();
        var directions = list.Select(r => r.Direction).Distinct().ToList();
        var models = list.Select(r => r.Model).Distinct().ToList();
        var sb = new StringBuilder();
        sb.Append("| model |");
        foreach (var d in directions) foreach (var h in Headers) sb.Append($" {d} {h} |");
        sb.AppendLine().Append("| --- |");
        foreach (var _ in directions) foreach (var __ in Headers) sb.Append(" ---: |");
        sb.AppendLine();
        foreach (var m in models)
        {
            sb.Append($"| {m} |");
            foreach (var d in directions)
                foreach (var c in Columns)
                {
                    var values = list.Where(r => r.Direction == d && r.Model == m).Select(r => (sampled ? r.Result.Sampled : r.Result.Full)[c] * 100).ToList();
                    sb.Append(values.Count == 0 ? " – |" : $" {Format(values)} |");
                }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>Mean and sample standard deviation (n − 1) over seeds; the std of one value is 0.</summary>
    public static (double Mean, double Std) MeanStd(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        return (mean, values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0);
    }

    /// <summary>Mean ± sample standard deviation (n − 1), two decimals; just the mean for one seed.</summary>
    public static string Format(IReadOnlyList<double> values)
    {
        var (mean, std) = MeanStd(values);
        if (values.Count == 1) return mean.ToString("F2", CultureInfo.InvariantCulture);
        return $"{mean.ToString("F2", CultureInfo.InvariantCulture)} ± {std.ToString("F2", CultureInfo.InvariantCulture)}";
    }
}
