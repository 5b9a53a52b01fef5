using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Hashing;
using CrossDomain.Providers.Caching;

namespace CrossDomain.Stages.Extract;

/// <summary>One memoised item outcome: its item_semantics row plus the voted labels and selected tags, under its memo key.</summary>
public sealed class MemoRow : ItemSemanticsRow
{
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    /// <summary>"category:label:votes" per voted label, ';'-separated.</summary>
    [JsonPropertyName("labels")] public string? Labels { get; set; }
    /// <summary>"tag:score" per selected tag, ';'-separated, in selection order.</summary>
    [JsonPropertyName("tags")] public string Tags { get; set; } = "";
}

/// <summary>
/// Memo of per-item results (and per-domain voted tag lists) beside the per-call cache. An item's memo key hashes
/// everything its call keys hash (provider, model, template versions, response format, temperatures, seed,
/// schema, vocabulary, domain names, the item's fields) plus the voting and selection params; because a cached
/// answer never changes once written, the memoised result is exactly what re-validating and re-voting its cached
/// answers would give. A fully cached rerun thus skips 140 k answer validations. Only results of successful runs
/// are written; items whose calls failed are never memoised. Lives in the cache folder: deleting the cache
/// deletes it too.
/// </summary>
public sealed class ResultMemo
{
    public const string ItemsFile = "item_results.parquet";
    public const string VocabulariesFile = "tag_vocabularies.json";
    private readonly string _directory;
    private readonly Dictionary<string, MemoRow> _items;
    private readonly Dictionary<string, List<VotedTag>> _vocabularies;
    private readonly ConcurrentDictionary<string, MemoRow> _newItems = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<VotedTag>> _newVocabularies = new(StringComparer.Ordinal);

    public sealed record VotedTag(string Tag, int Votes, double MeanScore, int Queries);

    private ResultMemo(string directory, Dictionary<string, MemoRow> items, Dictionary<string, List<VotedTag>> vocabularies)
    {
        _directory = directory;
        _items = items;
        _vocabularies = vocabularies;
    }

    public static async Task<ResultMemo> OpenAsync(string directory, CancellationToken ct)
    {
        var items = new Dictionary<string, MemoRow>(StringComparer.Ordinal);
        var path = Path.Combine(directory, ItemsFile);
        if (File.Exists(path))
            try
            {
                foreach (var row in await ParquetArtifact.ReadAsync<MemoRow>(path, ct)) items[row.Key] = row;
            }
            catch (InvalidDataException) { items.Clear(); } // unreadable: a memo is only a shortcut, rebuild it
        var vocabularies = new Dictionary<string, List<VotedTag>>(StringComparer.Ordinal);
        var vpath = Path.Combine(directory, VocabulariesFile);
        if (File.Exists(vpath))
            try { vocabularies = JsonSerializer.Deserialize<Dictionary<string, List<VotedTag>>>(await File.ReadAllTextAsync(vpath, ct)) ?? vocabularies; }
            catch (JsonException) { }
        return new ResultMemo(directory, items, vocabularies);
    }

    public static string Key(string context, string identity) => CallKey.Of(context, identity);

    public bool TryGetItem(string key, out MemoRow row) => _items.TryGetValue(key, out row!);
    public void AddItem(MemoRow row) => _newItems[row.Key] = row;
    public bool TryGetVocabulary(string key, out List<VotedTag> tags) => _vocabularies.TryGetValue(key, out tags!);
    public void AddVocabulary(string key, List<VotedTag> tags) => _newVocabularies[key] = tags;

    /// <summary>Writes the new results beside the old ones (atomically); nothing to write when nothing is new.</summary>
    public async Task SaveAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_directory);
        if (!_newItems.IsEmpty)
        {
            foreach (var (k, v) in _newItems) _items[k] = v;
            var path = Path.Combine(_directory, ItemsFile);
            var temp = path + $".{Guid.NewGuid():N}.tmp";
            await ParquetArtifact.WriteAsync(_items.Values.OrderBy(r => r.Item, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal),
                temp, new Dictionary<string, string>(), ct, rowGroupSize: 100_000);
            File.Move(temp, path, overwrite: true);
        }
        if (!_newVocabularies.IsEmpty)
        {
            foreach (var (k, v) in _newVocabularies) _vocabularies[k] = v;
            AtomicFile.WriteAllText(Path.Combine(_directory, VocabulariesFile), JsonSerializer.Serialize(_vocabularies));
        }
    }

    public static string EncodeLabels(int[][] labels, int[][] votes)
    {
        var sb = new StringBuilder();
        for (int c = 0; c < labels.Length; c++)
            for (int j = 0; j < labels[c].Length; j++)
                sb.Append(c).Append(':').Append(labels[c][j]).Append(':').Append(votes[c][j]).Append(';');
        return sb.ToString();
    }

    /// <summary>Inverse of <see cref="EncodeLabels"/>; hand-parsed, as a cached rerun decodes every item.</summary>
    public static (int[][] Labels, int[][] Votes) DecodeLabels(string encoded, int categories)
    {
        var counts = new int[categories];
        var triples = new List<(int C, int L, int V)>(16);
        int i = 0;
        while (i < encoded.Length)
        {
            int c = ReadInt(encoded, ref i), l = ReadInt(encoded, ref i), v = ReadInt(encoded, ref i);
            triples.Add((c, l, v));
            counts[c]++;
        }
        var labels = new int[categories][];
        var votes = new int[categories][];
        for (int c = 0; c < categories; c++) { labels[c] = new int[counts[c]]; votes[c] = new int[counts[c]]; counts[c] = 0; }
        foreach (var (c, l, v) in triples)
        {
            labels[c][counts[c]] = l;
            votes[c][counts[c]++] = v;
        }
        return (labels, votes);
    }

    /// <summary>Reads digits up to the next ':' or ';' and steps past it.</summary>
    private static int ReadInt(string s, ref int i)
    {
        int value = 0;
        while (i < s.Length && s[i] is >= '0' and <= '9') value = value * 10 + (s[i++] - '0');
        i++;
        return value;
    }

    public static string EncodeTags(List<(int Tag, int Score, double Weight)> tags) =>
        string.Join(';', tags.Select(t => $"{t.Tag}:{t.Score}"));

    /// <summary>The selected tags with their weights (recomputed exactly as <see cref="Voting.SelectTags"/> does).</summary>
    public static List<(int Tag, int Score, double Weight)> DecodeTags(string encoded)
    {
        var pairs = new List<(int Tag, int Score, double Weight)>(8);
        double sum = 0;
        int i = 0;
        while (i < encoded.Length)
        {
            int tag = ReadInt(encoded, ref i), score = ReadInt(encoded, ref i);
            pairs.Add((tag, score, 0));
            sum += score;
        }
        for (int k = 0; k < pairs.Count; k++) pairs[k] = (pairs[k].Tag, pairs[k].Score, sum > 0 ? pairs[k].Score / sum : 0);
        return pairs;
    }
}
