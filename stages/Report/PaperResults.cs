namespace CrossDomain.Stages.Report;

/// <summary>
/// Numbers the papers report on Food-Kitchen, as printed (in %), for a clearly separated table. They are not
/// directly comparable with this project's runs (see <see cref="Caveat"/>).
/// </summary>
public static class PaperResults
{
    /// <summary>
    /// Whether the papers' Food-Kitchen numbers belong in this report: only for the real Amazon Food-Kitchen pair (domains
    /// food and kitchen, not synthetic). For another pair, or the synthetic stand-in, they would invite a comparison
    /// that means nothing.
    /// </summary>
    public static bool Applies(ReportInputs inputs)
    {
        var pairs = inputs.Datasets.Select(d => (d.Stats.Source, d.Stats.Target, d.Stats.Synthetic))
            .Concat(inputs.FeatureSets.Select(f => (Text(f.Tables.Manifest, "source"), Text(f.Tables.Manifest, "target"), Bool(f.Tables.Manifest, "synthetic")))).ToList();
        return pairs.Count > 0 && pairs.All(x => !x.Item3 && new[] { x.Item1, x.Item2 }.Order().SequenceEqual(["food", "kitchen"]));
    }

    private static string Text(System.Text.Json.JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";
    private static bool Bool(System.Text.Json.JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.True;

    public sealed record Row(string Model, IReadOnlyList<double> Values);
    public sealed record Table(string Citation, string Caption, IReadOnlyList<string> Headers, IReadOnlyList<Row> Rows);

    public static readonly IReadOnlyList<Table> FoodKitchen =
    [
        new("Zhang et al., SemaCDR, WWW 2026, Table 1 (sampled ranking: the target against 100 negatives)",
            "SemaCDR's reported Food-Kitchen results",
            ["Kitchen→Food N@5", "N@10", "HR@5", "HR@10", "Food→Kitchen N@5", "N@10", "HR@5", "HR@10"],
            [
                new("SASRec", [17.54, 20.43, 23.48, 32.48, 10.99, 13.56, 15.64, 23.69]),
                new("TJAPL (strongest baseline)", [24.54, 28.11, 33.54, 44.64, 17.19, 20.84, 24.86, 36.16]),
                new("SemaCDR", [27.36, 31.05, 36.33, 47.75, 20.47, 23.89, 27.44, 38.06]),
            ]),
        new("Wu et al., TEMA-LLM, Table II (per domain, candidate protocol not stated)",
            "TEMA-LLM's reported Food-Kitchen results",
            ["Food MRR", "NDCG@5", "NDCG@10", "Kitchen MRR", "NDCG@5", "NDCG@10"],
            [
                new("GRU4Rec", [5.79, 5.48, 6.13, 3.06, 2.55, 3.10]),
                new("SASRec", [7.30, 6.90, 7.79, 3.79, 3.35, 3.93]),
                new("IFCDSR (strongest baseline)", [9.05, 8.85, 9.92, 4.95, 4.56, 5.24]),
                new("TEMA-LLM", [9.34, 9.14, 10.32, 5.24, 4.95, 5.50]),
            ]),
    ];

    public const string Caveat =
        "Not directly comparable with the tables above: the papers filter the 2014 Amazon data to other subsets " +
        "(SemaCDR's Table 4 keeps 19,229 overlapping users; the shared data here is a smaller sample), their negatives, " +
        "seeds and checkpoint selection are not published, TEMA-LLM does not state its candidate set, and their semantics " +
        "come from an LLM (and CLIP), where these runs use the extractor named in the notes.";
}
