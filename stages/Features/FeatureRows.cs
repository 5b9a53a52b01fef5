using System.Text.Json.Serialization;

namespace CrossDomain.Stages.Features;

/// <summary>
/// One item of <c>items.parquet</c>, by its 1-based index (0 is padding). Labels are global ids of the kept schema
/// labels (see the manifest's label vocabulary); tags are tag-vocabulary indices with weights w_i summing to 1.
/// </summary>
public sealed class FeatureItemRow
{
    [JsonPropertyName("item_idx")] public int ItemIdx { get; set; }
    [JsonPropertyName("item")] public string Item { get; set; } = "";
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    /// <summary>source or target in this direction.</summary>
    [JsonPropertyName("role")] public string Role { get; set; } = "";
    [JsonPropertyName("has_semantics")] public bool HasSemantics { get; set; }
    [JsonPropertyName("labels")] public int[] Labels { get; set; } = [];
    [JsonPropertyName("has_tags")] public bool HasTags { get; set; }
    [JsonPropertyName("tags")] public int[] Tags { get; set; } = [];
    [JsonPropertyName("tag_weights")] public float[] TagWeights { get; set; } = [];
    [JsonPropertyName("has_description_embedding")] public bool HasDescriptionEmbedding { get; set; }
    [JsonPropertyName("description_embedding")] public float[] DescriptionEmbedding { get; set; } = [];
    [JsonPropertyName("has_title_embedding")] public bool HasTitleEmbedding { get; set; }
    [JsonPropertyName("title_embedding")] public float[] TitleEmbedding { get; set; } = [];
    [JsonPropertyName("has_summary_embedding")] public bool HasSummaryEmbedding { get; set; }
    [JsonPropertyName("summary_embedding")] public float[] SummaryEmbedding { get; set; } = [];
}
