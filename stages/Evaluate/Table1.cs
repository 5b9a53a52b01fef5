using CrossDomain.Stages.Shared;
using CrossDomain.Trainer.Evaluation;

namespace CrossDomain.Stages.Evaluate;

/// <summary>
/// The papers' Table 1 layout: one row per model, columns N@5, N@10, HR@5, HR@10 per direction, as mean ± std over
/// seeds, in percent; one table per protocol.
/// </summary>
public static class Table1
{
    private static readonly string[] Columns = ["NDCG@5", "NDCG@10", "HR@5", "HR@10"];
    private static readonly string[] Headers = ["N@5", "N@10", "HR@5", "HR@10"];

    /// <param name="runs">(direction, model, one seed's test result) triples.</param>
    public static string Markdown(IEnumerable<(string Direction, string Model, EvaluationResult Result)> runs, bool sampled)
    {
        var list = runs.ToList();
        var directions = list.Select(r => r.Direction).Distinct().ToList();
        var table = new MarkdownTable([MarkdownTable.Text("model"), .. directions.SelectMany(d => Headers.Select(h => MarkdownTable.Number($"{d} {h}")))]);
        foreach (var m in list.Select(r => r.Model).Distinct())
            table.Add([m, .. directions.SelectMany(d => Columns.Select(c =>
            {
                var values = list.Where(r => r.Direction == d && r.Model == m).Select(r => (sampled ? r.Result.Sampled : r.Result.Full)[c] * 100).ToList();
                return values.Count == 0 ? "–" : SeedStatistics.Format(values);
            }))]);
        return table.ToString();
    }
}
