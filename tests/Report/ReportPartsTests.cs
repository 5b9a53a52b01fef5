using CrossDomain.Stages.Report;
using CrossDomain.Stages.Train;

namespace CrossDomain.Tests.Report;

/// <summary>The report's tables and projections on hand-checked cases.</summary>
public sealed class ReportPartsTests
{
    private static IEnumerable<ResultRow> Rows(string model, params double[] ndcg10BySeed) =>
        ndcg10BySeed.SelectMany((v, seed) => ResultTables.Metrics.Select(m => new ResultRow
        {
            Direction = "a→b", Model = model, Seed = seed + 1, Split = "test", Protocol = "full", Metric = m, Value = m == "NDCG@10" ? v : 0.01,
        }));

    [Fact]
    public void Best_is_bold_second_underlined_and_relaimpr_is_over_the_strongest_baseline()
    {
        var rows = Rows("SASRec", 0.10, 0.12).Concat(Rows("GRU4Rec", 0.08, 0.08)).Concat(Rows("SemaCDR", 0.13, 0.15)).Concat(Rows("TEMA-LLM", 0.09, 0.09))
            // A validation row must never reach the table.
            .Append(new ResultRow { Direction = "a→b", Model = "SASRec", Seed = 1, Split = "valid", Protocol = "full", Metric = "NDCG@10", Value = 0.9 }).ToList();
        var table = ResultTables.Build(rows, "full", ["SASRec", "GRU4Rec"]);
        Assert.Equal(["model", "a→b N@5", "N@10", "HR@5", "HR@10", "MRR"], table.Headers);
        var n10 = table.Rows.ToDictionary(r => r[0].Text, r => r[2]);
        // Means: SASRec 11.00 ± 1.41, GRU4Rec 8.00 ± 0.00, SemaCDR 14.00 ± 1.41, TEMA-LLM 9.00 ± 0.00.
        Assert.Equal("14.00 ± 1.41", n10["SemaCDR"].Text);
        Assert.True(n10["SemaCDR"].Bold);
        Assert.Equal("11.00 ± 1.41", n10["SASRec"].Text);
        Assert.True(n10["SASRec"].Underline);
        Assert.False(n10["GRU4Rec"].Bold || n10["GRU4Rec"].Underline || n10["TEMA-LLM"].Bold || n10["TEMA-LLM"].Underline);
        // (14 − 11) / 11 = +27.3 %; (9 − 11) / 11 = −18.2 %; columns where every model ties: all bold.
        Assert.Equal("+27.3", n10["RelaImpr of SemaCDR (%)"].Text);
        Assert.Equal("-18.2", n10["RelaImpr of TEMA-LLM (%)"].Text);
        Assert.All(table.Rows.Take(4), r => Assert.True(r[1].Bold));
        Assert.DoesNotContain(table.Rows, r => r[0].Text == "RelaImpr of SASRec (%)");
        // Without a baseline among the models there is no RelaImpr row.
        Assert.DoesNotContain(ResultTables.Build(rows, "full", ["Popularity"]).Rows, r => r[0].Text.StartsWith("RelaImpr"));
    }

    [Fact]
    public void Pca_finds_the_direction_of_largest_spread_and_the_neighbour_rate_counts_crossings()
    {
        // Points along (1, 1, 0) with a little spread along (1, -1, 0): PC 1 scores are √2·t, PC 2 the offsets (±0.1·√2).
        var ts = new[] { -1.5, -0.5, 0.5, 1.5 };
        var offsets = new[] { 0.1, -0.1, -0.1, 0.1 }; // uncorrelated with t
        var rows = ts.Select((t, i) => new[] { t + offsets[i], t - offsets[i], 0.0 }).ToArray();
        var (x, y) = EmbeddingProjection.Pca2(rows);
        for (int i = 0; i < 4; i++) Assert.Equal(Math.Sqrt(2) * ts[i], x[i], 6);
        Assert.All(y, v => Assert.Equal(0.1 * Math.Sqrt(2), Math.Abs(v), 6));

        // Two tight clusters, one per domain: nobody's nearest neighbour crosses. Interleaved: everybody's does.
        var separated = new[] { new[] { 1.0, 0 }, [1, 0.1], [0, 1], [0.1, 1] };
        Assert.Equal(0, EmbeddingProjection.NearestNeighbourCrossRate(separated, [true, true, false, false]));
        Assert.Equal(1, EmbeddingProjection.NearestNeighbourCrossRate(separated, [true, false, true, false]));
    }

    [Fact]
    public void Markdown_escapes_table_pipes_and_html_escapes_markup()
    {
        var doc = new ReportDocument { Title = "T <b>" };
        var section = new ReportSection("S", "s");
        section.Add(new ReportTable { Headers = ["a|b", "n"], Numeric = [1] }.Row(["x|y", "1"]));
        doc.Sections.Add(section);
        foreach (var t in doc.Sections.SelectMany(s => s.Blocks).Select(b => b.Table!)) t.MarkNumeric();
        var md = ReportStage.Render("report.md.hbs", doc, markdown: true);
        Assert.Contains("| a\\|b | n |", md);
        Assert.Contains("| --- | ---: |", md);
        Assert.Contains("| x\\|y | 1 |", md);
        var html = ReportStage.Render("report.html.hbs", doc, markdown: false);
        Assert.Contains("<title>T &lt;b&gt;</title>", html);
        Assert.Contains("<td class=\"num\">1</td>", html);
    }
}
