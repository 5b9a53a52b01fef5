using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// A generic schema for the offline extractor when no schema file is given: one category per level of the items'
/// category trees below the domain root ("Category level 1", "Category level 2", ...), its labels the node names
/// most common at that level (each domain's share of its own items ranks them, so a small domain is not drowned),
/// each label's cue the node name itself, and "Other" as the default. It is what a keyword tagger can honestly
/// derive from the metadata; it is not SemaCDR's domain-agnostic schema, which needs an LLM (or a written file).
/// </summary>
public static class CategoryTreeSchema
{
    public const string Origin = "derived from the items' category trees (offline; not an LLM)";
    public const string OtherLabel = "Other";

    public static SemanticSchema Derive(IReadOnlyList<ItemText> items, int categories, int labelsPerCategory)
    {
        // level -> domain -> node -> items
        var counts = new List<Dictionary<string, Dictionary<string, int>>>();
        var domainSizes = items.GroupBy(i => i.Domain).ToDictionary(g => g.Key, g => g.Count());
        foreach (var item in items)
        {
            var seen = new HashSet<(int, string)>();
            foreach (var path in item.Categories.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var nodes = path.Split('>', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                for (int level = 1; level < nodes.Length; level++) // nodes[0] is the root: it names the domain
                {
                    if (!seen.Add((level, nodes[level]))) continue;
                    while (counts.Count < level) counts.Add([]);
                    var byDomain = counts[level - 1];
                    if (!byDomain.TryGetValue(item.Domain, out var nodeCounts)) byDomain[item.Domain] = nodeCounts = new(StringComparer.Ordinal);
                    nodeCounts[nodes[level]] = nodeCounts.GetValueOrDefault(nodes[level]) + 1;
                }
            }
        }
        var result = new List<SchemaCategory>();
        for (int level = 1; level <= counts.Count && result.Count < categories; level++)
        {
            var ranked = counts[level - 1]
                .SelectMany(d => d.Value.Where(kv => kv.Value >= 2).Select(kv => (Node: kv.Key, Share: kv.Value / (double)domainSizes[d.Key])))
                .GroupBy(x => SemanticSchema.Normalize(x.Node)).Select(g => (Node: g.First().Node, Share: g.Max(x => x.Share)))
                .Where(x => SemanticSchema.Normalize(x.Node) != SemanticSchema.Normalize(OtherLabel))
                .OrderByDescending(x => x.Share).ThenBy(x => x.Node, StringComparer.Ordinal)
                .Take(Math.Max(1, labelsPerCategory - 1)).Select(x => x.Node).ToList();
            if (ranked.Count < 2) continue; // one label tells nothing apart
            var labels = ranked.Append(OtherLabel).ToList();
            var cues = labels.ToDictionary(l => l, l => (IReadOnlyList<string>)(l == OtherLabel ? [] : [string.Join(' ', OfflineSemanticsSource.Words(l))]), StringComparer.Ordinal);
            result.Add(new SchemaCategory($"Category level {level}", labels, OtherLabel, cues));
        }
        if (result.Count == 0)
        {
            var example = items.Select(i => i.Categories).FirstOrDefault(c => c.Length > 0) ?? "(none)";
            throw new StageException("the offline extractor has no schema: schema_file is empty, and the items' category paths have no level below the " +
                $"domain root with two or more shared names to derive one from (e.g. '{example}'). Write a schema file (prompts/food-kitchen-schema.yaml " +
                "shows the format) and set schema_file, or configure an LLM (params.llm) to induce one.");
        }
        return new SemanticSchema(result, Origin);
    }
}
