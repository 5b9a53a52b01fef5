using System.Text.Json;

namespace CrossDomain.Stages.Extract;

/// <summary>The outcome of asking for one answer: a value, or why none conformed (never an invented value).</summary>
public readonly record struct Answer<T>(T? Value, string? Error)
{
    public bool Ok => Error is null;
    public static Answer<T> Success(T value) => new(value, null);
    public static Answer<T> Failure(string error) => new(default, error);

    /// <summary>No answer yet: the call was set aside in a <see cref="CallPlan"/> (an estimate, or a batch job still to send).</summary>
    public static Answer<T> Deferred() => new(default, CallPlan.NotAnsweredYet);
    public bool IsDeferred => ReferenceEquals(Error, CallPlan.NotAnsweredYet);
}

/// <summary>One T_rec answer: label indices per schema category, and the semantic summary.</summary>
public sealed record LabelAnswer(int[][] Labels, string Summary);

/// <summary>One schema induction answer: categories with their labels, in the answer's spelling.</summary>
public sealed record SchemaProposal(IReadOnlyList<(string Name, IReadOnlyList<string> Labels)> Categories);

public sealed record ScoredTag(string Tag, double Score);

/// <summary>Parse-and-validate functions, one per task. Each returns an error naming what to fix.</summary>
public static class AnswerValidators
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // hot on cached reruns: skip tier-0
    public static Answer<LabelAnswer> Labels(string text, SemanticSchema schema)
    {
        if (!AnswerParser.TryParseObject(text, out var document, out var root, out var error)) return Answer<LabelAnswer>.Failure(error);
        using var parsed = document;
        if (!AnswerParser.TryGetProperty(root, out var features, "features") || features.ValueKind != JsonValueKind.Object)
            return Answer<LabelAnswer>.Failure("the answer has no \"features\" object");
        var labels = new int[schema.Categories.Count][];
        var seen = new bool[schema.Categories.Count];
        foreach (var p in features.EnumerateObject())
        {
            var c = schema.FindCategory(p.Name);
            if (c < 0) continue; // an extra category harms nothing; it is ignored
            var picked = new List<int>();
            foreach (var raw in AnswerParser.Strings(p.Value))
            {
                var l = schema.FindLabel(c, raw);
                if (l < 0)
                    return Answer<LabelAnswer>.Failure($"\"{raw}\" is not a label of category \"{schema.Categories[c].Name}\"; choose from: {string.Join(", ", schema.Categories[c].Labels)}");
                if (!picked.Contains(l)) picked.Add(l);
            }
            if (picked.Count == 0) return Answer<LabelAnswer>.Failure($"category \"{schema.Categories[c].Name}\" needs at least one label");
            labels[c] = [.. picked];
            seen[c] = true;
        }
        var missing = schema.Categories.Where((_, i) => !seen[i]).Select(c => c.Name).ToList();
        if (missing.Count > 0) return Answer<LabelAnswer>.Failure($"categories missing from \"features\": {string.Join(", ", missing)}");
        if (!AnswerParser.TryGetProperty(root, out var summary, "semantic_summary", "SemanticSummary", "summary")
            || summary.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(summary.GetString()))
            return Answer<LabelAnswer>.Failure("the answer has no \"semantic_summary\" sentence");
        return Answer<LabelAnswer>.Success(new LabelAnswer(labels, summary.GetString()!.Trim()));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // hot on cached reruns: skip tier-0
    public static Answer<string> Description(string text)
    {
        var trimmed = (text ?? "").Trim();
        if (trimmed.IndexOfAny(['{', '[']) < 0) // a plain-text answer to a free-text task is still an answer
            return trimmed.Length > 0 ? Answer<string>.Success(trimmed) : Answer<string>.Failure("the answer is empty");
        if (!AnswerParser.TryParseObject(trimmed, out var document, out var root, out var error)) return Answer<string>.Failure(error);
        using var parsed = document;
        if (AnswerParser.TryGetProperty(root, out var d, "description", "enriched_description") && d.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(d.GetString()))
            return Answer<string>.Success(d.GetString()!.Trim());
        return Answer<string>.Failure("the answer has no \"description\" text");
    }

    /// <summary>Accepts {"categories": [{"name", "labels"}]}, SemaCDR's [{"Genre": [...]}, ...] and {"Genre": [...], ...}.</summary>
    public static Answer<SchemaProposal> Schema(string text)
    {
        if (!AnswerParser.TryParseObject(text, out var document, out var root, out var error)) return Answer<SchemaProposal>.Failure(error);
        using var parsed = document;
        var result = new List<(string, IReadOnlyList<string>)>();
        void Add(string name, JsonElement labels)
        {
            var list = AnswerParser.Strings(labels).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            if (!string.IsNullOrWhiteSpace(name) && list.Count > 0) result.Add((name.Trim(), list));
        }
        var items = AnswerParser.TryGetProperty(root, out var cats, "categories", "schema") ? cats : root;
        if (items.ValueKind == JsonValueKind.Array)
            foreach (var e in items.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object) continue;
                if (AnswerParser.TryGetProperty(e, out var name, "name", "category") && name.ValueKind == JsonValueKind.String)
                    Add(name.GetString()!, AnswerParser.TryGetProperty(e, out var ls, "labels", "subcategories") ? ls : default);
                else foreach (var p in e.EnumerateObject()) Add(p.Name, p.Value);
            }
        else if (items.ValueKind == JsonValueKind.Object)
            foreach (var p in items.EnumerateObject()) Add(p.Name, p.Value);
        return result.Count == 0
            ? Answer<SchemaProposal>.Failure("no category with labels found; answer {\"categories\": [{\"name\": ..., \"labels\": [...]}]}")
            : Answer<SchemaProposal>.Success(new SchemaProposal(result));
    }

    /// <summary>A domain's tag list with scores in [0, 1] (a 1–100 scale is rescaled).</summary>
    public static Answer<List<ScoredTag>> TagList(string text)
    {
        if (!AnswerParser.TryParseObject(text, out var document, out var root, out var error)) return Answer<List<ScoredTag>>.Failure(error);
        using var parsed = document;
        var tags = new List<ScoredTag>();
        var node = AnswerParser.TryGetProperty(root, out var t, "tags") ? t : root;
        var pairs = new List<(string, JsonElement)>();
        if (node.ValueKind == JsonValueKind.Array)
            foreach (var e in node.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.Object && AnswerParser.TryGetProperty(e, out var name, "tag", "name") && name.ValueKind == JsonValueKind.String)
                    pairs.Add((name.GetString()!, AnswerParser.TryGetProperty(e, out var s, "score", "relevance") ? s : default));
            }
        else if (node.ValueKind == JsonValueKind.Object)
            foreach (var p in node.EnumerateObject()) pairs.Add((p.Name, p.Value));
        foreach (var (name, scoreNode) in pairs)
        {
            if (!AnswerParser.TryNumber(scoreNode, out var score))
                return Answer<List<ScoredTag>>.Failure($"tag \"{name}\" has no numeric score");
            if (score > 1 && score <= 100) score /= 100;
            if (score is < 0 or > 1) return Answer<List<ScoredTag>>.Failure($"tag \"{name}\" has score {score}; scores lie in [0, 1]");
            if (!string.IsNullOrWhiteSpace(name)) tags.Add(new ScoredTag(name.Trim(), score));
        }
        return tags.Count == 0 ? Answer<List<ScoredTag>>.Failure("no tags found; answer {\"tags\": [{\"tag\": ..., \"score\": ...}]}")
            : Answer<List<ScoredTag>>.Success(tags);
    }

    /// <summary>An item's tag scores on the 1–100 scale, every tag from the vocabulary (index by normalised name).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // hot on cached reruns: skip tier-0
    public static Answer<Dictionary<int, int>> TagScores(string text, IReadOnlyDictionary<string, int> vocabulary)
    {
        if (!AnswerParser.TryParseObject(text, out var document, out var root, out var error)) return Answer<Dictionary<int, int>>.Failure(error);
        using var parsed = document;
        var node = AnswerParser.TryGetProperty(root, out var t, "tags", "scores") ? t : root;
        var pairs = new List<(string, JsonElement)>();
        if (node.ValueKind == JsonValueKind.Object) foreach (var p in node.EnumerateObject()) pairs.Add((p.Name, p.Value));
        else if (node.ValueKind == JsonValueKind.Array)
            foreach (var e in node.EnumerateArray())
                if (AnswerParser.TryGetProperty(e, out var name, "tag", "name") && name.ValueKind == JsonValueKind.String)
                    pairs.Add((name.GetString()!, AnswerParser.TryGetProperty(e, out var s, "score") ? s : default));
        var scores = new Dictionary<int, int>();
        foreach (var (name, scoreNode) in pairs)
        {
            if (!vocabulary.TryGetValue(SemanticSchema.Normalize(name), out var index))
                return Answer<Dictionary<int, int>>.Failure($"\"{name}\" is not in the tag vocabulary; use the listed tags only");
            if (!AnswerParser.TryNumber(scoreNode, out var score) || score is < 0 or > 100)
                return Answer<Dictionary<int, int>>.Failure($"tag \"{name}\" needs a score from 1 to 100");
            var rounded = (int)Math.Round(score);
            if (rounded >= 1) scores[index] = Math.Max(rounded, scores.GetValueOrDefault(index));
        }
        return Answer<Dictionary<int, int>>.Success(scores);
    }
}
