namespace CrossDomain.Trainer.Evaluation;

/// <summary>
/// Leave-one-out ranking metrics (RecBole's definitions): HR@K, NDCG@K with one relevant item, and MRR.
/// The rank of the target is 1 + the number of candidates scoring at least as high: ties count against the
/// target, so a model that scores everything equally gets the worst rank, never a lucky one.
/// </summary>
public static class RankingMetrics
{
    public static readonly int[] HitCutoffs = [1, 5, 10, 20];
    public static readonly int[] NdcgCutoffs = [5, 10, 20];

    /// <summary>1-based rank of <paramref name="targetScore"/> among itself and <paramref name="otherScores"/>.</summary>
    public static int Rank(float targetScore, ReadOnlySpan<float> otherScores)
    {
        if (float.IsNaN(targetScore)) return otherScores.Length + 1;
        var rank = 1;
        foreach (var s in otherScores)
            if (s >= targetScore || float.IsNaN(s)) rank++;
        return rank;
    }

    public static double HitRate(int rank, int k) => rank <= k ? 1 : 0;
    public static double Ndcg(int rank, int k) => rank <= k ? 1 / Math.Log2(rank + 1) : 0;
    public static double ReciprocalRank(int rank) => 1.0 / rank;
}

/// <summary>Averages the metrics over test cases.</summary>
public sealed class MetricAccumulator
{
    private readonly double[] _hits = new double[RankingMetrics.HitCutoffs.Length];
    private readonly double[] _ndcg = new double[RankingMetrics.NdcgCutoffs.Length];
    private double _mrr;
    public int Count { get; private set; }

    public void Add(int rank)
    {
        if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank), "ranks start at 1");
        for (int i = 0; i < _hits.Length; i++) _hits[i] += RankingMetrics.HitRate(rank, RankingMetrics.HitCutoffs[i]);
        for (int i = 0; i < _ndcg.Length; i++) _ndcg[i] += RankingMetrics.Ndcg(rank, RankingMetrics.NdcgCutoffs[i]);
        _mrr += RankingMetrics.ReciprocalRank(rank);
        Count++;
    }

    /// <summary>Metric name (HR@10, NDCG@10, MRR) to its mean.</summary>
    public IReadOnlyDictionary<string, double> Means()
    {
        if (Count == 0) throw new InvalidOperationException("no test cases were scored");
        var result = new Dictionary<string, double>();
        for (int i = 0; i < _hits.Length; i++) result[$"HR@{RankingMetrics.HitCutoffs[i]}"] = _hits[i] / Count;
        for (int i = 0; i < _ndcg.Length; i++) result[$"NDCG@{RankingMetrics.NdcgCutoffs[i]}"] = _ndcg[i] / Count;
        result["MRR"] = _mrr / Count;
        return result;
    }
}
