using System.Text.Json;
using System.Text.Json.Nodes;
using CrossDomain.Engine.Stages;
using YamlDotNet.RepresentationModel;

namespace CrossDomain.Stages.Extract;

/// <summary>One high-level category c_k with its subcategory labels V_ck (SemaCDR section 3.1.2).</summary>
public sealed record SchemaCategory(string Name, IReadOnlyList<string> Labels, string? DefaultLabel = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Cues = null, IReadOnlyList<int>? Votes = null, int CategoryVotes = 0);

/// <summary>
/// The domain-agnostic classification schema C = {c_1..c_K}. Labels are matched case- and space-insensitively
/// and always reported in the schema's spelling.
/// </summary>
public sealed class SemanticSchema
{
    private readonly Dictionary<string, int>[] _labelLookup;
    private readonly Dictionary<string, int> _categoryLookup;
    // Exact spellings first: answers usually copy the schema, and normalising allocates.
    private readonly Dictionary<string, int>[] _labelExact;
    private readonly Dictionary<string, int> _categoryExact;

    public IReadOnlyList<SchemaCategory> Categories { get; }
    /// <summary>Where it came from: "induced" or the file it was read from.</summary>
    public string Origin { get; }

    public SemanticSchema(IReadOnlyList<SchemaCategory> categories, string origin)
    {
        Categories = categories;
        Origin = origin;
        _categoryLookup = new(StringComparer.Ordinal);
        _categoryExact = new(StringComparer.Ordinal);
        _labelLookup = new Dictionary<string, int>[categories.Count];
        _labelExact = new Dictionary<string, int>[categories.Count];
        for (int c = 0; c < categories.Count; c++)
        {
            _categoryLookup.TryAdd(Normalize(categories[c].Name), c);
            _categoryExact.TryAdd(categories[c].Name, c);
            _labelLookup[c] = new(StringComparer.Ordinal);
            _labelExact[c] = new(StringComparer.Ordinal);
            for (int l = 0; l < categories[c].Labels.Count; l++)
            {
                _labelLookup[c].TryAdd(Normalize(categories[c].Labels[l]), l);
                _labelExact[c].TryAdd(categories[c].Labels[l], l);
            }
        }
    }

    /// <summary>Lowercase, trimmed, inner whitespace collapsed, surrounding quotes and punctuation dropped.</summary>
    public static string Normalize(string text) =>
        string.Join(' ', text.Trim().Trim('"', '\'', '.', ',', ';', ':', '*', '-').ToLowerInvariant()
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public int FindCategory(string name) =>
        _categoryExact.TryGetValue(name, out var c) || _categoryLookup.TryGetValue(Normalize(name), out c) ? c : -1;

    public int FindLabel(int category, string label) =>
        _labelExact[category].TryGetValue(label, out var l) || _labelLookup[category].TryGetValue(Normalize(label), out l) ? l : -1;

    private IReadOnlyList<object>? _templateModel;
    private string? _identity;

    /// <summary>Hash of the categories and labels in order: part of the cache key of every prompt showing the schema.</summary>
    public string Identity => _identity ??= CrossDomain.Providers.Caching.CallKey.Of(
        Categories.SelectMany(c => new[] { "\u001d" + c.Name }.Concat(c.Labels)).ToArray());

    /// <summary>
    /// Prompt view, built once: each category's <c>name</c>, <c>labels</c>, and <c>labels_json</c> (the labels as a JSON
    /// array, so that a template need not loop over every label of every category for every item).
    /// </summary>
    public IReadOnlyList<object> TemplateModel() => _templateModel ??= Categories.Select(c => (object)new Dictionary<string, object>
    {
        ["name"] = c.Name,
        ["labels"] = c.Labels,
        ["labels_json"] = PromptJson.Array(c.Labels),
    }).ToList();

    /// <summary>JSON schema of a T_rec answer: every category required, labels restricted to the schema's.</summary>
    public JsonElement AnswerJsonSchema()
    {
        var features = new JsonObject();
        foreach (var c in Categories)
            features[c.Name] = new JsonObject
            {
                ["type"] = "array",
                ["minItems"] = 1,
                ["items"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(c.Labels.Select(l => (JsonNode)l!).ToArray()) },
            };
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["mapped_id"] = new JsonObject { ["type"] = "string" },
                ["features"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = features,
                    ["required"] = new JsonArray(Categories.Select(c => (JsonNode)c.Name!).ToArray()),
                },
                ["semantic_summary"] = new JsonObject { ["type"] = "string" },
            },
            ["required"] = new JsonArray("features", "semantic_summary"),
        };
        return JsonSerializer.SerializeToElement(schema);
    }

    /// <summary>
    /// Reads a schema file (YAML): <c>categories: [{name, default, labels: {Label: [cue, ...]}}]</c>. Labels may also
    /// be a plain list when no cues are given. Errors name the file, line and key.
    /// </summary>
    public static SemanticSchema Load(string path)
    {
        if (!File.Exists(path)) throw new StageException($"schema file {path} does not exist");
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new StageException($"{path}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.Message}");
        }
        string At(YamlNode n, string key, string message) => $"{path}:{n.Start.Line}:{n.Start.Column}: {key}: {message}";
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
            throw new StageException($"{path}: expected a mapping with 'categories:'");
        if (!root.Children.TryGetValue(new YamlScalarNode("categories"), out var catsNode) || catsNode is not YamlSequenceNode cats || cats.Children.Count == 0)
            throw new StageException(At(root, "categories", "list at least one category"));
        var categories = new List<SchemaCategory>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < cats.Children.Count; i++)
        {
            var key = $"categories[{i}]";
            if (cats.Children[i] is not YamlMappingNode cat) throw new StageException(At(cats.Children[i], key, "expected a mapping with name, labels and optional default"));
            string? Scalar(string name) => cat.Children.TryGetValue(new YamlScalarNode(name), out var v) ? (v as YamlScalarNode)?.Value : null;
            foreach (var k in cat.Children.Keys)
                if ((k as YamlScalarNode)?.Value is not ("name" or "labels" or "default"))
                    throw new StageException(At(k, $"{key}.{k}", "unknown key; expected name, labels, default"));
            var catName = Scalar("name");
            if (string.IsNullOrWhiteSpace(catName)) throw new StageException(At(cat, $"{key}.name", "every category needs a name"));
            if (!names.Add(Normalize(catName))) throw new StageException(At(cat, $"{key}.name", $"category '{catName}' appears twice"));
            if (!cat.Children.TryGetValue(new YamlScalarNode("labels"), out var labelsNode))
                throw new StageException(At(cat, $"{key}.labels", "list the category's labels"));
            var labels = new List<string>();
            var cues = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            switch (labelsNode)
            {
                case YamlSequenceNode seq:
                    foreach (var l in seq.Children) labels.Add((l as YamlScalarNode)?.Value ?? throw new StageException(At(l, $"{key}.labels", "labels are strings")));
                    break;
                case YamlMappingNode map:
                    foreach (var (k, v) in map.Children)
                    {
                        var label = ((YamlScalarNode)k).Value!;
                        labels.Add(label);
                        cues[label] = v switch
                        {
                            YamlSequenceNode s => s.Children.Select(x => ((x as YamlScalarNode)?.Value ?? "").Trim().ToLowerInvariant()).Where(x => x.Length > 0).ToList(),
                            YamlScalarNode { Value: null or "" or "~" } => [],
                            _ => throw new StageException(At(v, $"{key}.labels.{label}", "expected a list of cue words")),
                        };
                    }
                    break;
                default:
                    throw new StageException(At(labelsNode, $"{key}.labels", "expected a list of labels or a mapping label → cues"));
            }
            if (labels.Count == 0) throw new StageException(At(labelsNode, $"{key}.labels", "list at least one label"));
            var dupe = labels.GroupBy(Normalize).FirstOrDefault(g => g.Count() > 1);
            if (dupe is not null) throw new StageException(At(labelsNode, $"{key}.labels", $"label '{dupe.First()}' appears twice"));
            var def = Scalar("default");
            if (def is not null && !labels.Any(l => Normalize(l) == Normalize(def)))
                throw new StageException(At(cat, $"{key}.default", $"'{def}' is not one of the category's labels"));
            categories.Add(new SchemaCategory(catName.Trim(), labels, def is null ? null : labels.First(l => Normalize(l) == Normalize(def)), cues));
        }
        return new SemanticSchema(categories, path);
    }
}
