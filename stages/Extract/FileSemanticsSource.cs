using System.Text.Json;
using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// Answers a user already has, read from one file: a JSON array, a JSON object keyed by item id, or JSON lines.
/// Each record is in the shape of SemaCDR's appendix example — <c>{"mapped_id": ..., "features": {category: [labels]},
/// "semantic_summary": ...}</c> — keyed by <c>item</c>, <c>asin</c>, <c>parent_asin</c> or <c>mapped_id</c>, and may add
/// <c>description</c> (enriched description) and <c>tags</c> (<c>{tag: 1..100}</c>). Records are validated like LLM
/// answers; an item without a record, or with a non-conforming one, is reported as failed, never filled in.
/// </summary>
public sealed class FileSemanticsSource : ISemanticsSource
{
    private static readonly string[] IdKeys = ["item", "asin", "parent_asin", "mapped_id", "id"];
    private readonly Dictionary<string, JsonElement> _records = new(StringComparer.Ordinal);
    private readonly string _path;

    public FileSemanticsSource(string path)
    {
        _path = path;
        if (!File.Exists(path)) throw new StageException($"llm.responses_file: {path} does not exist");
        var text = File.ReadAllText(path);
        var options = new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('['))
        {
            using var doc = Parse(text, options, 0);
            foreach (var r in doc.RootElement.EnumerateArray()) AddRecord(r, null, 0);
        }
        else if (trimmed.StartsWith('{') && TryParseWhole(text, options, out var whole) && !IdKeys.Any(k => AnswerParser.TryGetProperty(whole!.RootElement, out _, k)))
        {
            using (whole)
                foreach (var p in whole!.RootElement.EnumerateObject()) AddRecord(p.Value, p.Name, 0);
        }
        else
        {
            int line = 0;
            foreach (var raw in File.ReadLines(path))
            {
                line++;
                if (string.IsNullOrWhiteSpace(raw)) continue;
                using var doc = Parse(raw, options, line);
                AddRecord(doc.RootElement, null, line);
            }
        }
    }

    private JsonDocument Parse(string text, JsonDocumentOptions options, int line)
    {
        try { return JsonDocument.Parse(text, options); }
        catch (JsonException e) { throw new StageException($"{_path}:{(line > 0 ? line : (e.LineNumber ?? 0) + 1)}: not valid JSON: {e.Message}"); }
    }

    private static bool TryParseWhole(string text, JsonDocumentOptions options, out JsonDocument? doc)
    {
        try { doc = JsonDocument.Parse(text, options); return true; }
        catch (JsonException) { doc = null; return false; }
    }

    private void AddRecord(JsonElement record, string? key, int line)
    {
        string? id = key;
        foreach (var k in IdKeys)
            if (id is null && AnswerParser.TryGetProperty(record, out var v, k)) id = v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText();
        if (string.IsNullOrEmpty(id))
            throw new StageException($"{_path}{(line > 0 ? $":{line}" : "")}: a record has no item id (one of {string.Join(", ", IdKeys)})");
        _records.TryAdd(id, record.Clone()); // the first answer for an item wins
    }

    public int Count => _records.Count;
    public string Description => $"file {_path} (answers imported, no LLM called)";
    public bool IsLlm => false;
    public bool IsDeterministic => true;
    public bool CanInduceSchema => false;

    /// <summary>A schema from the labels the file uses, in order of first appearance, when no schema file is given.</summary>
    public SemanticSchema DerivedSchema()
    {
        var cats = new List<(string Name, List<string> Labels)>();
        foreach (var r in _records.Values)
        {
            if (!AnswerParser.TryGetProperty(r, out var f, "features") || f.ValueKind != JsonValueKind.Object) continue;
            foreach (var p in f.EnumerateObject())
            {
                var c = cats.FindIndex(x => SemanticSchema.Normalize(x.Name) == SemanticSchema.Normalize(p.Name));
                if (c < 0) { cats.Add((p.Name.Trim(), [])); c = cats.Count - 1; }
                foreach (var l in AnswerParser.Strings(p.Value))
                    if (!cats[c].Labels.Any(x => SemanticSchema.Normalize(x) == SemanticSchema.Normalize(l))) cats[c].Labels.Add(l.Trim());
            }
        }
        if (cats.Count == 0) throw new StageException($"{_path}: no record has \"features\"; give schema_file or fix the file");
        return new SemanticSchema(cats.Select(c => new SchemaCategory(c.Name, c.Labels)).ToList(), $"derived from {_path}");
    }

    public Task<Answer<SchemaProposal>> ProposeSchemaAsync(IReadOnlyList<ItemText> sample, int query, CancellationToken ct) =>
        throw new NotSupportedException("the file provider cannot induce a schema");

    public Task<Answer<LabelAnswer>> LabelItemAsync(ItemText item, SemanticSchema schema, int sample, CancellationToken ct) =>
        Task.FromResult(_records.TryGetValue(item.Id, out var r) ? AnswerValidators.Labels(r.GetRawText(), schema)
            : Answer<LabelAnswer>.Failure($"no answer for item {item.Id} in {_path}"));

    public Task<Answer<string>> DescribeItemAsync(ItemText item, CancellationToken ct) =>
        Task.FromResult(_records.TryGetValue(item.Id, out var r) && AnswerParser.TryGetProperty(r, out var d, "description", "enriched_description")
            && d.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(d.GetString())
            ? Answer<string>.Success(d.GetString()!.Trim())
            : Answer<string>.Failure($"no description for item {item.Id} in {_path}"));

    public Task<Answer<List<ScoredTag>>> ProposeTagsAsync(string domain, IReadOnlyList<ItemText> domainItems, int query, CancellationToken ct)
    {
        // The file has no domain tag lists: a domain's vocabulary is the tags its items carry, scored by how many do.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in domainItems)
            if (_records.TryGetValue(item.Id, out var r) && AnswerParser.TryGetProperty(r, out var tags, "tags") && tags.ValueKind == JsonValueKind.Object)
                foreach (var p in tags.EnumerateObject()) counts[p.Name.Trim()] = counts.GetValueOrDefault(p.Name.Trim()) + 1;
        if (counts.Count == 0) return Task.FromResult(Answer<List<ScoredTag>>.Failure($"no item of domain {domain} has \"tags\" in {_path}"));
        double max = counts.Values.Max();
        return Task.FromResult(Answer<List<ScoredTag>>.Success(counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new ScoredTag(c.Key, c.Value / max)).ToList()));
    }

    public Task<Answer<Dictionary<int, int>>> ScoreTagsAsync(ItemText item, TagVocabulary vocabulary, CancellationToken ct)
    {
        if (!_records.TryGetValue(item.Id, out var r) || !AnswerParser.TryGetProperty(r, out var tags, "tags"))
            return Task.FromResult(Answer<Dictionary<int, int>>.Failure($"no tags for item {item.Id} in {_path}"));
        // Tags outside the vocabulary (voted out) are dropped here rather than failing the record.
        var known = new Dictionary<int, int>();
        if (tags.ValueKind == JsonValueKind.Object)
            foreach (var p in tags.EnumerateObject())
                if (vocabulary.Index.TryGetValue(SemanticSchema.Normalize(p.Name), out var t) && AnswerParser.TryNumber(p.Value, out var s) && s is >= 1 and <= 100)
                    known[t] = (int)Math.Round(s);
        return Task.FromResult(Answer<Dictionary<int, int>>.Success(known));
    }

    public void Dispose() { }
}
