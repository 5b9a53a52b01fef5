using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CrossDomain.FakeServers;

/// <summary>
/// Plays a well-behaved LLM for the shipped prompt templates: recognises the task from the prompt, reads the schema
/// or vocabulary the prompt lists, and answers valid JSON chosen deterministically from the item id and sample seed.
/// Tests wrap it to inject faults.
/// </summary>
public static partial class FakeLlmOracle
{
    public static readonly string[] Categories = ["Flavor", "Audience", "Occasion", "Style"];

    public static string Task(FakeChatRequest r) => r.Prompt switch
    {
        var p when p.Contains("Classification Schema", StringComparison.Ordinal) => "item_semantics",
        var p when p.Contains("enriched description", StringComparison.Ordinal) => "item_description",
        var p when p.Contains("Propose exactly", StringComparison.Ordinal) => "schema",
        var p when p.Contains("semantic tags that best describe", StringComparison.Ordinal) => "tag_vocabulary",
        var p when p.Contains("Tag vocabulary:", StringComparison.Ordinal) => "item_tags",
        _ => "unknown",
    };

    public static string ItemId(string prompt)
    {
        var m = MappedId().Match(prompt);
        if (m.Success) return m.Groups[1].Value;
        m = ItemIdLine().Match(prompt);
        return m.Success ? m.Groups[1].Value.Trim() : "";
    }

    public static FakeReply Answer(FakeChatRequest r) => FakeReply.Text(Task(r) switch
    {
        "item_semantics" => Semantics(r),
        "item_description" => JsonSerializer.Serialize(new { description = $"Enriched description of {ItemId(r.Prompt)}." }),
        "schema" => SchemaAnswer(),
        "tag_vocabulary" => TagVocabulary(r.Prompt),
        "item_tags" => ItemTags(r.Prompt),
        _ => "I do not understand.",
    });

    /// <summary>The (category → labels) the T_rec prompt lists under "Classification Schema".</summary>
    public static List<(string Category, List<string> Labels)> SchemaInPrompt(string prompt)
    {
        var start = prompt.IndexOf("Classification Schema:", StringComparison.Ordinal);
        var end = prompt.IndexOf("Conversion Rules", StringComparison.Ordinal);
        var block = prompt[start..end];
        var result = new List<(string, List<string>)>();
        foreach (var line in block.Split('\n'))
        {
            var t = line.Trim().TrimEnd(',');
            if (!t.StartsWith("{\"", StringComparison.Ordinal)) continue;
            var obj = JsonNode.Parse(t)!.AsObject();
            foreach (var (k, v) in obj) result.Add((k, v!.AsArray().Select(x => x!.GetValue<string>()).ToList()));
        }
        return result;
    }

    private static string Semantics(FakeChatRequest r)
    {
        var id = ItemId(r.Prompt);
        var sample = (int)((r.Seed ?? 0) % 1000);
        var features = new JsonObject();
        foreach (var (cat, labels) in SchemaInPrompt(r.Prompt))
        {
            var h = Math.Abs(FakeLlmServer.StableHash(id + "|" + cat));
            var chosen = new JsonArray(labels[h % labels.Count]);
            if (sample % 2 == 1 && labels.Count > 1) chosen.Add(labels[(h + 1) % labels.Count]); // odd samples add a minority label
            features[cat] = chosen;
        }
        return new JsonObject { ["mapped_id"] = id, ["features"] = features, ["semantic_summary"] = $"Summary of {id} (sample {sample})." }.ToJsonString();
    }

    private static string SchemaAnswer() => new JsonObject
    {
        ["categories"] = new JsonArray(Categories.Select((c, i) => (JsonNode)new JsonObject
        {
            ["name"] = c,
            ["labels"] = new JsonArray(Enumerable.Range(0, 4).Select(j => (JsonNode)$"{c} {j}").ToArray()),
        }).ToArray()),
    }.ToJsonString();

    private static string TagVocabulary(string prompt)
    {
        var domain = DomainInTagPrompt().Match(prompt).Groups[1].Value;
        var tags = Enumerable.Range(0, 6).Select(i => (JsonNode)new JsonObject { ["tag"] = $"{domain.Split(' ')[0].ToLowerInvariant()} tag {i}", ["score"] = 1.0 - i * 0.1 })
            .Append(new JsonObject { ["tag"] = "shared tag", ["score"] = 0.5 }).ToArray();
        return new JsonObject { ["tags"] = new JsonArray(tags) }.ToJsonString();
    }

    private static string ItemTags(string prompt)
    {
        var id = ItemId(prompt);
        var vocabulary = TagList().Matches(prompt[prompt.IndexOf("Tag vocabulary:", StringComparison.Ordinal)..].Split('\n')[0])
            .Select(m => m.Groups[1].Value).ToList();
        var scores = new JsonObject();
        for (int i = 0; i < vocabulary.Count; i++)
            scores[vocabulary[i]] = 1 + Math.Abs(FakeLlmServer.StableHash(id + vocabulary[i])) % 100;
        return new JsonObject { ["tags"] = scores }.ToJsonString();
    }

    [GeneratedRegex("\"mapped_id\": \"([^\"]*)\"")]
    private static partial Regex MappedId();
    [GeneratedRegex(@"Item id: (.*)")]
    private static partial Regex ItemIdLine();
    [GeneratedRegex("items of the \"([^\"]*)\" domain")]
    private static partial Regex DomainInTagPrompt();
    [GeneratedRegex("\"([^\"]+)\"")]
    private static partial Regex TagList();
}
