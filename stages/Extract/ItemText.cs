using CrossDomain.Stages.Ingest;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// The columns of an <c>items</c> table that prompts use; reading only these skips <c>extra</c> and the rest.
/// </summary>
public sealed class ItemTextColumns
{
    [System.Text.Json.Serialization.JsonPropertyName("item")] public string Item { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("title")] public string? Title { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("categories")] public List<string> Categories { get; set; } = [];
    [System.Text.Json.Serialization.JsonPropertyName("brand")] public string? Brand { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("description")] public string? Description { get; set; }

    /// <summary>
    /// Reads an items table (a file or a folder of parts) ordered by (domain, item), and whether it is synthetic.
    /// </summary>
    public static async Task<(List<ItemTextColumns> Rows, bool Synthetic)> ReadAsync(string path, CancellationToken ct)
    {
        var rows = new List<ItemTextColumns>();
        bool synthetic = false;
        foreach (var part in Ingest.InteractionsReader.Parts(path))
        {
            rows.AddRange(await Engine.Artifacts.ParquetArtifact.ReadAsync<ItemTextColumns>(part, ct));
            synthetic |= (await Engine.Artifacts.ParquetArtifact.ReadMetadataAsync(part)).TryGetValue("crossdomain.synthetic", out var s) && s == "true";
        }
        rows.Sort((a, b) => string.CompareOrdinal(a.Domain, b.Domain) is var c && c != 0 ? c : string.CompareOrdinal(a.Item, b.Item));
        return (rows, synthetic);
    }
}

/// <summary>An item as prompts and extractors see it: every field optional but the id and domain.</summary>
public sealed record ItemText(string Id, string Domain, string Title, string Categories, string Brand, string Description)
{
    public static ItemText From(ItemTextColumns row, int maxDescriptionChars) => new(
        row.Item,
        row.Domain,
        Clean(row.Title),
        string.Join("; ", row.Categories),
        Clean(row.Brand),
        Clean(row.Description) is { } d && d.Length > maxDescriptionChars ? d[..maxDescriptionChars] + "…" : Clean(row.Description));

    /// <summary>Every field a prompt may show, unambiguously joined: part of the per-call cache key.</summary>
    public string Identity => _identity ??= string.Join('\u001f', Id, Domain, Title, Categories, Brand, Description);
    private string? _identity;

    /// <summary>The category path names below each path's root (the root names the whole domain, not the item).</summary>
    public static IEnumerable<string> CategoryTermsBelowRoot(string categories) =>
        categories.Split(';').SelectMany(path => path.Split('>').Skip(1)).Select(t => t.Trim()).Where(t => t.Length > 0);

    private static string Clean(string? text) => string.IsNullOrWhiteSpace(text) ? "" : text.Trim();

    /// <summary>For templates: <c>item.title</c> etc. An unknown field reads "unknown" rather than leaving a hole in the prompt.</summary>
    public Dictionary<string, object> TemplateModel() => new()
    {
        ["id"] = Id,
        ["domain"] = Domain,
        ["title"] = Title.Length > 0 ? Title : "unknown",
        ["categories"] = Categories.Length > 0 ? Categories : "unknown",
        ["brand"] = Brand.Length > 0 ? Brand : "unknown",
        ["description"] = Description,
    };
}
