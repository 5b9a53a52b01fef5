using CrossDomain.Trainer.Evaluation;

namespace CrossDomain.Tests;

public class RankingMetricsTests
{
    [Fact]
    public void Rank_counts_ties_against_the_target()
    {
        Assert.Equal(1, RankingMetrics.Rank(0.9f, [0.1f, 0.5f, 0.8f]));
        Assert.Equal(3, RankingMetrics.Rank(0.5f, [0.1f, 0.5f, 0.8f])); // 0.8 above, 0.5 tied
        Assert.Equal(4, RankingMetrics.Rank(0.0f, [0f, 0f, 0f]));       // all equal: worst rank
        Assert.Equal(4, RankingMetrics.Rank(float.NaN, [1f, 2f, 3f]));
    }

    [Fact]
    public void Means_match_hand_computed_values()
    {
        var acc = new MetricAccumulator();
        acc.Add(1);  // HR@1 hit, NDCG 1, RR 1
        acc.Add(3);  // NDCG@5 = 1/log2(4) = 0.5, RR 1/3
        acc.Add(12); // only HR@20 and NDCG@20: 1/log2(13), RR 1/12
        var m = acc.Means();
        Assert.Equal(1 / 3.0, m["HR@1"], 12);
        Assert.Equal(2 / 3.0, m["HR@5"], 12);
        Assert.Equal(2 / 3.0, m["HR@10"], 12);
        Assert.Equal(1.0, m["HR@20"], 12);
        Assert.Equal((1 + 0.5) / 3, m["NDCG@5"], 12);
        Assert.Equal((1 + 0.5 + 1 / Math.Log2(13)) / 3, m["NDCG@20"], 12);
        Assert.Equal((1 + 1 / 3.0 + 1 / 12.0) / 3, m["MRR"], 12);
        Assert.Throws<InvalidOperationException>(() => new MetricAccumulator().Means());
    }
}
