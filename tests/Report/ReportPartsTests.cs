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

/// <summary>The ablation and sweep section from hand-made evaluate rows: tables, a sensitivity plot per swept parameter, bars for the rest.</summary>
public sealed class ReportAblationSectionTests
{
    [Fact]
    public void Sweeps_become_sensitivity_plots_and_other_variants_a_bar_chart()
    {
        using var dir = new CrossDomain.Tests.Support.TempDir();
        var rows = new List<ResultRow>();
        void Add(string model, double ndcg)
        {
            foreach (var seed in new[] { 1, 2 })
                foreach (var protocol in new[] { "full", "sampled" })
                    foreach (var metric in ResultTables.Metrics)
                        rows.Add(new ResultRow { Direction = "kitchen→food", Model = model, Seed = seed, Split = "test", Protocol = protocol, Metric = metric, Value = ndcg + seed * 0.001 });
        }
        Add("K = 2", 0.10); Add("K = 4", 0.12); Add("K = 8", 0.11);
        Add("λ = 0.1", 0.12); Add("λ = 0.5", 0.09);
        Add("SemaCDR", 0.12); Add("w/o CDBehav", 0.115);
        var inputs = new ReportInputs();
        inputs.Evaluations.Add(new ReportInputs.Evaluation("main", "Results", rows.Where(r => r.Model == "SemaCDR").ToList()));
        inputs.Evaluations.Add(new ReportInputs.Evaluation("sweeps", "Sweeps", rows));
        var charts = new ReportCharts(dir.Path, 400, 300);
        var doc = new ReportBuilder(inputs, new ReportParams(), charts).Build();

        var section = doc.Sections.Single(s => s.Anchor == "ablations");
        var figures = section.Blocks.Where(b => b.Figure is not null).Select(b => b.Figure!).ToList();
        Assert.Equal(["sweep_sweeps_k_kitchen_to_food.png", "sweep_sweeps_lambda_kitchen_to_food.png", "variants_sweeps_kitchen_to_food.png"], figures.Select(f => f.File));
        Assert.Equal([(400, 300), (400, 300), (800, 300)], figures.Select(f => CrossDomain.Tests.Report.DefaultRunTests.PngSize(Path.Combine(dir.Path, f.File))));
        // The full-ranking table lists every variant with mean ± std (K = 4: 12.15 ± 0.07).
        var full = section.Blocks.First(b => b.Table is not null).Table!;
        Assert.Equal("12.15 ± 0.07", full.Rows.Single(r => r[0].Text == "K = 4")[2].Text);
        Assert.Equal(7, full.Rows.Count);
    }

    [Theory]
    [InlineData("food", "kitchen", false, true)]
    [InlineData("kitchen", "food", false, true)]
    [InlineData("food", "kitchen", true, false)] // the synthetic stand-in
    [InlineData("beauty", "electronics", false, false)]
    public void The_papers_food_kitchen_numbers_are_shown_only_for_the_real_food_kitchen_pair(string source, string target, bool synthetic, bool shown)
    {
        var inputs = new ReportInputs();
        inputs.Datasets.Add(new ReportInputs.Dataset("seq", new CrossDomain.Stages.Sequences.SequenceStats { Source = source, Target = target, Synthetic = synthetic }));
        Assert.Equal(shown, PaperResults.Applies(inputs));
        Assert.False(PaperResults.Applies(new ReportInputs()));
    }
}
