namespace CrossDomain.Stages.Extract;

/// <summary>Frequency votes over repeated LLM answers (SemaCDR's N samples per item, TEMA-LLM's R queries).</summary>
public static class Voting
{
    /// <summary>Smallest count that is at least <paramref name="fraction"/> of <paramref name="total"/> (and at least 1).</summary>
    public static int Needed(int total, double fraction) => Math.Max(1, (int)Math.Ceiling(total * fraction - 1e-9));

    /// <summary>
    /// Schema induction vote over R answers. A category is supported by the answers naming it (names compared
    /// normalised); categories proposed by at least <paramref name="minAgreement"/> of the answers are kept, the K
    /// most supported (ties: more label votes, then first proposed). Within a kept category a label is kept when at
    /// least that fraction of the answers naming the category list it, at most <paramref name="maxLabels"/>, most
    /// supported first; a category whose labels all miss the bar keeps its most supported ones.
    /// Each kept name is spelled as most answers spelled it.
    /// </summary>
    public static SemanticSchema Schema(IReadOnlyList<SchemaProposal> answers, int k, int maxLabels, double minAgreement)
    {
        var cats = new Dictionary<string, CategoryTally>(StringComparer.Ordinal);
        int order = 0;
        foreach (var answer in answers)
        {
            var seenCats = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, labels) in answer.Categories)
            {
                var key = SemanticSchema.Normalize(name);
                if (key.Length == 0 || !seenCats.Add(key)) continue;
                if (!cats.TryGetValue(key, out var tally)) cats[key] = tally = new CategoryTally(order++);
                tally.Support++;
                tally.Spellings[name.Trim()] = tally.Spellings.GetValueOrDefault(name.Trim()) + 1;
                var seenLabels = new HashSet<string>(StringComparer.Ordinal);
                foreach (var label in labels)
                {
                    var lk = SemanticSchema.Normalize(label);
                    if (lk.Length == 0 || !seenLabels.Add(lk)) continue;
                    if (!tally.Labels.TryGetValue(lk, out var lt)) tally.Labels[lk] = lt = new LabelTally(tally.Labels.Count);
                    lt.Support++;
                    lt.Spellings[label.Trim()] = lt.Spellings.GetValueOrDefault(label.Trim()) + 1;
                }
            }
        }
        var need = Needed(answers.Count, minAgreement);
        var kept = cats.Values.Where(c => c.Support >= need)
            .OrderByDescending(c => c.Support).ThenByDescending(c => c.Labels.Values.Sum(l => l.Support)).ThenBy(c => c.Order)
            .Take(k).ToList();
        var categories = new List<SchemaCategory>();
        foreach (var c in kept)
        {
            var labelNeed = Needed(c.Support, minAgreement);
            var ranked = c.Labels.Values.OrderByDescending(l => l.Support).ThenBy(l => l.Order).ToList();
            var labels = ranked.Where(l => l.Support >= labelNeed).Take(maxLabels).ToList();
            if (labels.Count == 0) labels = ranked.Where(l => l.Support == ranked[0].Support).Take(maxLabels).ToList();
            categories.Add(new SchemaCategory(BestSpelling(c.Spellings), labels.Select(l => BestSpelling(l.Spellings)).ToList(),
                Votes: labels.Select(l => l.Support).ToList(), CategoryVotes: c.Support));
        }
        return new SemanticSchema(categories, "induced");
    }

    private static string BestSpelling(Dictionary<string, int> spellings) =>
        spellings.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).First().Key;

    private sealed class CategoryTally(int order)
    {
        public int Order { get; } = order;
        public int Support;
        public Dictionary<string, int> Spellings { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, LabelTally> Labels { get; } = new(StringComparer.Ordinal);
    }

    private sealed class LabelTally(int order)
    {
        public int Order { get; } = order;
        public int Support;
        public Dictionary<string, int> Spellings { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// Per-category majority vote over an item's valid T_rec answers. A label is kept when more than half of the
    /// answers chose it; when none has a majority, the most chosen one (ties: the first chosen, in sample order).
    /// The summary is taken from the answer whose labels agree best with the vote (Jaccard over (category, label)
    /// pairs; ties: the earliest sample), so the summary describes what the labels say.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // hot on cached reruns: skip tier-0
    public static (int[][] Labels, int[][] Votes, int SummaryFrom) Labels(IReadOnlyList<LabelAnswer> valid, int categories)
    {
        if (valid.Count == 0) throw new ArgumentException("nothing to vote on", nameof(valid));
        var labels = new int[categories][];
        var votes = new int[categories][];
        for (int c = 0; c < categories; c++)
        {
            var counts = new Dictionary<int, int>();
            var first = new List<int>();
            foreach (var answer in valid)
                foreach (var l in answer.Labels[c])
                {
                    if (!counts.ContainsKey(l)) first.Add(l);
                    counts[l] = counts.GetValueOrDefault(l) + 1;
                }
            var majority = first.Where(l => counts[l] * 2 > valid.Count).ToList();
            if (majority.Count == 0)
            {
                var max = counts.Values.Max();
                majority = [first.First(l => counts[l] == max)];
            }
            labels[c] = [.. majority];
            votes[c] = majority.Select(l => counts[l]).ToArray();
        }
        int best = 0;
        double bestScore = -1;
        for (int s = 0; s < valid.Count; s++)
        {
            int inter = 0, union = 0;
            for (int c = 0; c < categories; c++)
            {
                var a = valid[s].Labels[c];
                inter += a.Count(labels[c].Contains);
                union += a.Length + labels[c].Length - a.Count(labels[c].Contains);
            }
            var score = union == 0 ? 1 : (double)inter / union;
            if (score > bestScore + 1e-12) { bestScore = score; best = s; }
        }
        return (labels, votes, best);
    }

    /// <summary>
    /// TEMA-LLM Vote(Z) (eq. 2): a tag (normalised) is kept when at least <paramref name="minAgreement"/> of the R
    /// answers list it; ranked by how many did, then mean score, then first appearance; at most N.
    /// </summary>
    public static List<(string Tag, int Votes, double MeanScore)> Tags(IReadOnlyList<List<ScoredTag>> answers, int n, double minAgreement)
    {
        var tally = new Dictionary<string, (int Votes, double ScoreSum, int Order)>(StringComparer.Ordinal);
        foreach (var answer in answers)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in answer)
            {
                var key = SemanticSchema.Normalize(t.Tag);
                if (key.Length == 0 || !seen.Add(key)) continue;
                var cur = tally.TryGetValue(key, out var x) ? x : (Votes: 0, ScoreSum: 0.0, Order: tally.Count);
                tally[key] = (cur.Votes + 1, cur.ScoreSum + t.Score, cur.Order);
            }
        }
        var need = Needed(answers.Count, minAgreement);
        return tally.Where(t => t.Value.Votes >= need)
            .OrderByDescending(t => t.Value.Votes).ThenByDescending(t => t.Value.ScoreSum / t.Value.Votes).ThenBy(t => t.Value.Order)
            .Take(n).Select(t => (t.Key, t.Value.Votes, t.Value.ScoreSum / t.Value.Votes)).ToList();
    }

    /// <summary>
    /// TEMA-LLM tag selection (Table VI) on 1–100 scores: hybrid keeps the top R, then any other tag scoring at least
    /// θ, at most <paramref name="max"/>; weights are the kept scores normalised to sum 1 (the weighted multi-hot w_v).
    /// Ties in score go to the lower vocabulary index.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // hot on cached reruns: skip tier-0
    public static List<(int Tag, int Score, double Weight)> SelectTags(IReadOnlyDictionary<int, int> scores, TagSelection mode, int topR, int threshold, int max)
    {
        var ranked = scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key).ToList();
        var kept = mode switch
        {
            TagSelection.TopR => ranked.Take(topR).ToList(),
            TagSelection.Threshold => ranked.Where(s => s.Value >= threshold).Take(max).ToList(),
            _ => ranked.Take(topR).Concat(ranked.Skip(topR).Where(s => s.Value >= threshold)).Take(Math.Max(max, topR)).ToList(),
        };
        double sum = kept.Sum(s => (double)s.Value);
        return kept.Select(s => (s.Key, s.Value, sum > 0 ? s.Value / sum : 0)).ToList();
    }
}
