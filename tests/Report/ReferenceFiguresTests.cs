using CrossDomain.Stages.Evaluate;
using CrossDomain.Stages.Train;

namespace CrossDomain.Tests.Report;

/// <summary>The evaluate stage's reference figures: ours (mean ± std over seeds) beside a reference, with the difference.</summary>
public sealed class ReferenceFiguresTests
{
    [Fact]
    public void Reference_figures_sit_beside_our_mean_and_std_with_the_difference()
    {
        ResultRow Row(int seed, string metric, double value, string split = "test") => new()
        {
            Direction = "food→kitchen", Model = "SASRec", Seed = seed, Split = split, Protocol = "sampled", Metric = metric, Value = value,
        };
        var rows = new List<ResultRow> { Row(1, "HR@10", 0.50), Row(2, "HR@10", 0.60), Row(1, "NDCG@10", 0.30), Row(2, "NDCG@10", 0.32), Row(1, "HR@10", 0.99, "valid") };
        var md = EvaluateStage.References([new ReferenceFigures
        {
            Model = "SASRec", Direction = "food→kitchen", Protocol = "sampled", Source = "ref", Values = new() { ["HR@10"] = 55.8, ["NDCG@10"] = 30.4, ["MRR"] = 20 },
        }], rows);
        var lines = md.Split('\n');
        Assert.Contains("| SASRec | food→kitchen | sampled | HR@10 | 55.00 ± 7.07 | 55.80 | −0.80 | ref |", lines);
        Assert.Contains("| SASRec | food→kitchen | sampled | NDCG@10 | 31.00 ± 1.41 | 30.40 | +0.60 | ref |", lines);
        Assert.Contains("| SASRec | food→kitchen | sampled | MRR | – | 20.00 | – | ref |", lines); // nothing of ours to compare
        Assert.Equal("", EvaluateStage.References([], rows));
    }
}
