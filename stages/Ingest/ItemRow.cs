using System.Text.Json.Serialization;

namespace CrossDomain.Stages.Ingest;

/// <summary>
/// One row of the <c>items</c> artifact. Every field but the id and domain is optional because every release
/// lacks some of them (the shared 2014 subset has only asin, title and categories).
/// </summary>
public sealed class ItemRow
{
    [JsonPropertyName("item")]
    public string Item { get; set; } = "";
    [JsonPropertyName("domain")]
    public string Domain { get; set; } = "";
    [JsonPropertyName("title")]
    public string? Title { get; set; }
    /// <summary>Category paths, each joined with " > " (2014 has several paths, 2018/2023 one flat list).</summary>
    [JsonPropertyName("categories")]
    public List<string> Categories { get; set; } = [];
    [JsonPropertyName("brand")]
    public string? Brand { get; set; }
    [JsonPropertyName("description")]
    public string? Description { get; set; }
    [JsonPropertyName("price")]
    public double? Price { get; set; }
    [JsonPropertyName("image_url")]
    public string? ImageUrl { get; set; }
    [JsonPropertyName("main_category")]
    public string? MainCategory { get; set; }
    /// <summary>Which release format the row came from.</summary>
    [JsonPropertyName("source_format")]
    public string SourceFormat { get; set; } = "";
    /// <summary>Every other field of the source record, as JSON (salesRank, related, details, ...).</summary>
    [JsonPropertyName("extra")]
    public string? Extra { get; set; }
}
