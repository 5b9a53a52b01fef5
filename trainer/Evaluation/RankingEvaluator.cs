using CrossDomain.Trainer.Data;

namespace CrossDomain.Trainer.Evaluation;

/// <summary>
/// What a model must provide to be evaluated: scores over every item index (0 is padding) for a batch of users,
/// from each user's inputs at the split (the <c>*_train</c> histories for validation, <c>*_test_input</c> for
/// test). Higher is better.
/// </summary>
public interface IRecommenderScorer
{
    string Name { get; }
    void ScoreAll(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, float[][] scores);
}

/// <summary>
/// Metric means of one evaluation under both protocols. <paramref name="Domains"/> splits them by the held-out
/// item's domain ("source", "target"): under mixed_loo the per-domain figures are the ones C2DSR and ABXI report; under
/// target_loo there is one domain. Null in results written before it was recorded.
/// </summary>
public sealed record EvaluationResult(string Model, EvalSplit Split, int Users, IReadOnlyDictionary<string, double> Sampled, IReadOnlyDictionary<string, double> Full,
    IReadOnlyDictionary<string, DomainEvaluation>? Domains = null);

/// <summary>The cases of one domain: how many, and their metric means under both protocols.</summary>
public sealed record DomainEvaluation(int Cases, IReadOnlyDictionary<string, double> Sampled, IReadOnlyDictionary<string, double> Full);

/// <summary>
/// The one evaluator of every model and both split protocols (target_loo, mixed_loo: <see cref="FeatureTables.Protocol"/>),
/// always under both ranking protocols: <c>sampled</c> ranks the held-out item among the saved negatives; <c>full</c>
/// ranks it among all items of its domain except the user's other items there. A case belongs to its held-out item's
/// domain, and metrics are also kept per domain. Ties count against the held-out item (see <see cref="RankingMetrics.Rank"/>).
/// </summary>
/// <param name="minTargetItems">Who is scored: users with at least this many target-domain interactions (training,
/// validation and test items together); 0 scores everyone (SASRec.pytorch's evaluation skips its shortest users).</param>
public sealed class RankingEvaluator(FeatureTables tables, SampledNegatives negatives, int batchSize = 256, int minTargetItems = 0)
{
    private readonly IReadOnlyList<FeatureTables.UserRow> _users = Scored(tables, minTargetItems);

    /// <summary>The users an evaluation scores.</summary>
    public static IReadOnlyList<FeatureTables.UserRow> Scored(FeatureTables tables, int minTargetItems)
    {
        if (minTargetItems <= 0) return tables.Users;
        var users = tables.Users.Where(u => u.TargetTrain.Length + 2 >= minTargetItems).ToList();
        if (users.Count == 0 && tables.Users.Count > 0)
            throw new ArgumentException($"eval_min_target_items: no user has {minTargetItems} target interactions (the most any has: {tables.Users.Max(u => u.TargetTrain.Length) + 2})");
        return users;
    }

    public EvaluationResult Evaluate(IRecommenderScorer scorer, EvalSplit split, CancellationToken ct = default)
    {
        var sampled = new MetricAccumulator();
        var full = new MetricAccumulator();
        var byDomain = new SortedDictionary<string, (MetricAccumulator Sampled, MetricAccumulator Full)>(StringComparer.Ordinal);
        var scores = new float[batchSize][];
        for (int b = 0; b < batchSize; b++) scores[b] = new float[tables.ItemCount + 1];
        var others = new float[Math.Max(tables.ItemCount, negatives.Count)];
        for (int start = 0; start < _users.Count; start += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            var batch = _users.Skip(start).Take(batchSize).ToList();
            var view = scores.Take(batch.Count).ToArray();
            scorer.ScoreAll(batch, split, view);
            for (int b = 0; b < batch.Count; b++)
            {
                var u = batch[b];
                var s = view[b];
                var target = FeatureTables.HeldOut(u, split);
                var domain = tables.DomainOf(target);
                if (!byDomain.TryGetValue(domain, out var perDomain)) byDomain[domain] = perDomain = (new MetricAccumulator(), new MetricAccumulator());
                var negs = negatives.For(u.UserIdx, split);
                for (int k = 0; k < negs.Length; k++) others[k] = s[negs[k]];
                var rank = RankingMetrics.Rank(s[target], others.AsSpan(0, negs.Length));
                sampled.Add(rank);
                perDomain.Sampled.Add(rank);
                var history = tables.DomainHistory(u, domain);
                int n = 0;
                foreach (var item in tables.ItemsOf(domain))
                    if (item != target && !history.Contains(item)) others[n++] = s[item];
                rank = RankingMetrics.Rank(s[target], others.AsSpan(0, n));
                full.Add(rank);
                perDomain.Full.Add(rank);
            }
        }
        var domains = byDomain.ToDictionary(d => d.Key, d => new DomainEvaluation(d.Value.Sampled.Count, d.Value.Sampled.Means(), d.Value.Full.Means()));
        return new EvaluationResult(scorer.Name, split, sampled.Count, sampled.Means(), full.Means(), domains);
    }
}

/// <summary>Scores items by how often they occur in the training histories: the popularity ranker.</summary>
public sealed class PopularityScorer : IRecommenderScorer
{
    private readonly float[] _counts;
    public string Name => "Popularity";

    public PopularityScorer(FeatureTables tables)
    {
        // Training interactions only: counting validation or test items would leak them. Target-domain items under
        // target_loo, both domains' under mixed_loo (the evaluator ranks each case within its own domain).
        _counts = new float[tables.ItemCount + 1];
        foreach (var u in tables.Users)
            foreach (var i in tables.SequenceTrain(u)) _counts[i]++;
    }

    public void ScoreAll(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, float[][] scores)
    {
        foreach (var s in scores) _counts.CopyTo(s, 0);
    }
}

/// <summary>Uniform random scores, seeded: the floor any model must clear.</summary>
public sealed class RandomScorer(int seed) : IRecommenderScorer
{
    private readonly Random _rng = new(seed);
    public string Name => "Random";

    public void ScoreAll(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, float[][] scores)
    {
        foreach (var s in scores)
            for (int i = 0; i < s.Length; i++) s[i] = (float)_rng.NextDouble();
    }
}
