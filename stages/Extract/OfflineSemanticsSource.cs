using System.Text;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// The offline extractor: NOT an LLM. A deterministic keyword tagger over the item's own metadata, used when no
/// LLM is configured so that the pipeline runs anywhere and every downstream stage has real inputs.
/// <list type="bullet">
/// <item>Labels: the cue lexicons of the schema file (category path matches count double); up to three labels per
/// category scoring at least half the best; the category's declared default when no cue matches.</item>
/// <item>Summary and description: composed from title, labels, category path, brand and description.</item>
/// <item>Tag vocabulary: per domain, the N words most frequent across item titles and category paths
/// (stop words and units removed), scored by document frequency (TEMA-LLM's "static keyword-based assignment").</item>
/// <item>Item tags: 100 for a tag in the item's category path, else 60–100 by the tag's rarity when the title has it.</item>
/// </list>
/// </summary>
public sealed class OfflineSemanticsSource : ISemanticsSource
{
    private const int MaxLabelsPerCategory = 3;
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "with", "of", "in", "to", "a", "an", "by", "on", "or", "from", "your", "our", "you", "all", "amp", "quot",
        "oz", "ounce", "ounces", "fl", "pack", "packs", "count", "ct", "lb", "lbs", "pound", "pounds", "inch", "inches", "set", "piece",
        "pieces", "pcs", "size", "new", "best", "ml", "kg", "gram", "grams", "each", "per", "one", "two", "three", "four", "six", "twelve",
        "box", "bag", "bags", "case", "jar", "can", "cans", "bottle", "bottles", "pk", "qt", "quart", "gallon", "cup", "cups", "is", "it",
        "this", "that", "home", "kitchen", "grocery", "gourmet", "food", "item", "items", "unknown", "x", "inc", "co", "brand", "assorted",
    };

    private readonly Dictionary<string, (double Idf, int Df)> _titleStats;
    private readonly double _maxIdf;

    public OfflineSemanticsSource(IReadOnlyList<ItemText> allItems)
    {
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in allItems)
            foreach (var w in Words(item.Title).Where(IsTagWord).Distinct()) df[w] = df.GetValueOrDefault(w) + 1;
        _titleStats = df.ToDictionary(kv => kv.Key, kv => (Math.Log((1.0 + allItems.Count) / (1.0 + kv.Value)) + 1, kv.Value), StringComparer.Ordinal);
        _maxIdf = _titleStats.Count == 0 ? 1 : _titleStats.Values.Max(v => v.Idf);
    }

    public string Description => "offline (deterministic keyword tagger, not an LLM)";
    public bool IsLlm => false;
    public bool IsDeterministic => true;
    public bool CanInduceSchema => false;

    public Task<Answer<SchemaProposal>> ProposeSchemaAsync(IReadOnlyList<ItemText> sample, int query, CancellationToken ct) =>
        throw new NotSupportedException("the offline extractor cannot induce a schema");

    public Task<Answer<LabelAnswer>> LabelItemAsync(ItemText item, SemanticSchema schema, int sample, CancellationToken ct)
    {
        var text = Padded(Words($"{item.Title} {item.Brand} {item.Description}"));
        var path = Padded(PathTerms(item.Categories).ToList()); // the root ("Grocery & Gourmet Food") names the domain, not the item
        var labels = new int[schema.Categories.Count][];
        for (int c = 0; c < schema.Categories.Count; c++)
        {
            var cat = schema.Categories[c];
            var scores = new List<(int Label, int Score)>();
            for (int l = 0; l < cat.Labels.Count; l++)
            {
                int score = 0;
                if (cat.Cues?.TryGetValue(cat.Labels[l], out var cues) == true)
                    foreach (var cue in cues)
                    {
                        var needle = $" {cue} ";
                        if (text.Contains(needle, StringComparison.Ordinal)) score += 1;
                        if (path.Contains(needle, StringComparison.Ordinal)) score += 2;
                    }
                if (score > 0) scores.Add((l, score));
            }
            if (scores.Count == 0)
                labels[c] = [cat.DefaultLabel is { } d ? cat.Labels.ToList().IndexOf(d) : 0];
            else
            {
                var best = scores.Max(s => s.Score);
                labels[c] = scores.Where(s => s.Score * 2 >= best).OrderByDescending(s => s.Score).ThenBy(s => s.Label)
                    .Take(MaxLabelsPerCategory).Select(s => s.Label).ToArray();
            }
        }
        var parts = schema.Categories.Select((cat, c) => $"{cat.Name.ToLowerInvariant()} {string.Join(" and ", labels[c].Select(l => cat.Labels[l]))}");
        var summary = $"{(item.Title.Length > 0 ? item.Title : "An item")}: {string.Join("; ", parts)}.";
        return Task.FromResult(Answer<LabelAnswer>.Success(new LabelAnswer(labels, summary)));
    }

    public Task<Answer<string>> DescribeItemAsync(ItemText item, CancellationToken ct)
    {
        var sb = new StringBuilder(item.Title.Length > 0 ? item.Title.TrimEnd('.') + "." : "Untitled item.");
        if (item.Brand.Length > 0) sb.Append(" By ").Append(item.Brand.TrimEnd('.')).Append('.');
        if (item.Categories.Length > 0) sb.Append(" Category: ").Append(item.Categories).Append('.');
        if (item.Description.Length > 0) sb.Append(' ').Append(item.Description);
        return Task.FromResult(Answer<string>.Success(sb.ToString()));
    }

    public Task<Answer<List<ScoredTag>>> ProposeTagsAsync(string domain, IReadOnlyList<ItemText> domainItems, int query, CancellationToken ct)
    {
        // Brand names are frequent title words but say nothing about the item: they never become tags.
        var brands = domainItems.SelectMany(i => Words(i.Brand)).ToHashSet(StringComparer.Ordinal);
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in domainItems)
            foreach (var w in Words(item.Title).Concat(PathTerms(item.Categories)).Where(w => IsTagWord(w) && !brands.Contains(w)).Distinct())
                df[w] = df.GetValueOrDefault(w) + 1;
        if (df.Count == 0) return Task.FromResult(Answer<List<ScoredTag>>.Failure($"domain {domain}: no title or category words to derive tags from"));
        double max = df.Values.Max();
        var tags = df.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new ScoredTag(kv.Key, kv.Value / max)).ToList();
        return Task.FromResult(Answer<List<ScoredTag>>.Success(tags));
    }

    public Task<Answer<Dictionary<int, int>>> ScoreTagsAsync(ItemText item, TagVocabulary vocabulary, CancellationToken ct)
    {
        var path = PathTerms(item.Categories).ToHashSet(StringComparer.Ordinal);
        var title = Words(item.Title).ToHashSet(StringComparer.Ordinal);
        var scores = new Dictionary<int, int>();
        for (int t = 0; t < vocabulary.Tags.Count; t++)
        {
            var tag = SemanticSchema.Normalize(vocabulary.Tags[t]);
            if (path.Contains(tag)) scores[t] = 100;
            else if (title.Contains(tag))
                scores[t] = 60 + (int)Math.Round(40 * (_titleStats.TryGetValue(tag, out var s) ? s.Idf / _maxIdf : 1));
        }
        return Task.FromResult(Answer<Dictionary<int, int>>.Success(scores));
    }

    private static bool IsTagWord(string w) => w.Length >= 3 && !StopWords.Contains(w) && !w.Any(char.IsDigit);

    /// <summary>Category path words below the root (the root names the whole domain).</summary>
    private static IEnumerable<string> PathTerms(string categories) => ItemText.CategoryTermsBelowRoot(categories).SelectMany(Words);

    internal static List<string> Words(string text)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        foreach (var ch in text)
        {
            if (char.IsLetterOrDigit(ch) || ((ch == '-' || ch == '\'') && sb.Length > 0)) sb.Append(char.ToLowerInvariant(ch));
            else Flush();
        }
        Flush();
        return words;

        void Flush()
        {
            if (sb.Length == 0) return;
            var w = sb.ToString().Trim('-', '\'');
            if (w.EndsWith("'s", StringComparison.Ordinal)) w = w[..^2];
            if (w.Length > 0) words.Add(w);
            sb.Clear();
        }
    }

    private static string Padded(List<string> words) => " " + string.Join(' ', words) + " ";

    public void Dispose() { }
}
