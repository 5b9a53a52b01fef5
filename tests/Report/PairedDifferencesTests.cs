using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Evaluate;
using CrossDomain.Stages.Train;

namespace CrossDomain.Tests.Report;

/// <summary>The evaluate stage's paired table on hand-computed seeds: difference per seed, mean ± std, seeds ahead.</summary>
public class PairedDifferencesTests
{
    private static ResultRow Row(string model, int seed, string protocol, string metric, double value, string direction = "food→kitchen") =>
        new() { Direction = direction, Model = model, Stage = model, Seed = seed, Split = "test", Protocol = protocol, Metric = metric, Value = value };

    private static List<ResultRow> Rows(params (string Model, double[] Ndcg)[] models) =>
        [.. models.SelectMany(m => m.Ndcg.SelectMany((v, i) => new[]
        {
            Row(m.Model, i + 1, "full", "NDCG@10", v), Row(m.Model, i + 1, "full", "HR@10", 2 * v),
            Row(m.Model, i + 1, "sampled", "NDCG@10", v), Row(m.Model, i + 1, "sampled", "HR@10", 2 * v),
        }))];

    private static string[] Line(string markdown, string heading, string model, string protocol) =>
        markdown[markdown.IndexOf(heading, StringComparison.Ordinal)..].Split('\n')
            .First(l => l.StartsWith($"| {model} | food→kitchen | {protocol} |", StringComparison.Ordinal))
            .Split('|', StringSplitOptions.TrimEntries)[1..^1];

    [Fact]
    public void Each_seed_is_compared_with_the_reference_of_the_same_seed()
    {
        // Seeds 1–3: SemaCDR 0.10, 0.20, 0.30; the ablation 0.12, 0.19, 0.33, so differences +2, −1, +3 points:
        // mean 1.33, sample std sqrt(((0.667)² + (2.333)² + (1.667)²) / 2) = 2.08, ahead on seeds 1 and 3.
        var rows = Rows(("SemaCDR", [0.10, 0.20, 0.30]), ("w/o CDBehav", [0.12, 0.19, 0.33]));
        var markdown = PairedDifferences.Markdown(["SemaCDR"], rows);
        var cells = Line(markdown, "## Paired differences against SemaCDR", "w/o CDBehav", "full");
        Assert.Equal("+1.33 ± 2.08", cells[3]);
        Assert.Equal("2 of 3", cells[4]);
        Assert.Equal("+2.67 ± 4.16", cells[5]);
        Assert.DoesNotContain("| SemaCDR | food→kitchen", markdown);
    }

    [Fact]
    public void Only_seeds_both_models_ran_are_paired()
    {
        var rows = Rows(("SemaCDR", [0.10, 0.20]), ("w/o CDBehav", [0.12, 0.19, 0.90]));
        var cells = Line(PairedDifferences.Markdown(["SemaCDR"], rows), "## Paired", "w/o CDBehav", "sampled");
        Assert.Equal("1 of 2", cells[4]);
        Assert.Equal("+0.50 ± 2.12", cells[3]);
    }

    [Fact]
    public void Several_references_give_one_table_each_in_the_order_given()
    {
        // Binary-exact values, so that a zero mean prints as 0.00: SemaCDR − TEMA-LLM = −12.5, −25; original − TEMA-LLM = −12.5, +12.5.
        var rows = Rows(("SemaCDR", [0.375, 0.75]), ("TEMA-LLM", [0.25, 0.5]), ("TEMA-LLM original", [0.125, 0.625]));
        var markdown = PairedDifferences.Markdown(["SemaCDR", "TEMA-LLM"], rows);
        var semacdr = markdown.IndexOf("## Paired differences against SemaCDR", StringComparison.Ordinal);
        var tema = markdown.IndexOf("## Paired differences against TEMA-LLM", StringComparison.Ordinal);
        Assert.True(semacdr >= 0 && tema > semacdr);
        Assert.Equal("−18.75 ± 8.84", Line(markdown, "## Paired differences against SemaCDR", "TEMA-LLM", "full")[3]);
        Assert.Equal("0.00 ± 17.68", Line(markdown, "## Paired differences against TEMA-LLM", "TEMA-LLM original", "full")[3]);
        Assert.Equal("1 of 2", Line(markdown, "## Paired differences against TEMA-LLM", "TEMA-LLM original", "full")[4]);
    }

    [Fact]
    public void An_unknown_reference_names_the_models_there_are()
    {
        var rows = Rows(("SemaCDR", [0.10]));
        var error = Assert.Throws<StageException>(() => PairedDifferences.Markdown(["SemaCrd"], rows));
        Assert.Contains("'SemaCrd'", error.Message);
        Assert.Contains("SemaCDR", error.Message);
    }

    [Fact]
    public void No_reference_no_table() => Assert.Equal("", PairedDifferences.Markdown([], Rows(("SemaCDR", [0.1]))));
}
