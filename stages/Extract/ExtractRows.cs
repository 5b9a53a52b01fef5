using System.Text.Json.Serialization;

namespace CrossDomain.Stages.Extract;

/// <summary>One label of the schema (<c>schema.parquet</c>): category c_k, label v, and the vote behind it.</summary>
public sealed class SchemaRow
{
    [JsonPropertyName("category_idx")] public int CategoryIdx { get; set; }
    [JsonPropertyName("category")] public string Category { get; set; } = "";
    [JsonPropertyName("label_idx")] public int LabelIdx { get; set; }
    [JsonPropertyName("label")] public string Label { get; set; } = "";
    /// <summary>The category's declared default label (schema files only).</summary>
    [JsonPropertyName("is_default")] public bool IsDefault { get; set; }
    /// <summary>Induction answers that proposed the category / the label (0 for a schema file).</summary>
    [JsonPropertyName("category_votes")] public int CategoryVotes { get; set; }
    [JsonPropertyName("label_votes")] public int LabelVotes { get; set; }
    /// <summary>Items carrying the label after voting (before outlier filtering).</summary>
    [JsonPropertyName("items")] public int Items { get; set; }
    /// <summary>False when filtered as an outlier by frequency: no item carries it in item_labels.</summary>
    [JsonPropertyName("kept")] public bool Kept { get; set; }
}

/// <summary>One item (<c>item_semantics.parquet</c>): its summary, enriched description and how they were obtained.</summary>
public class ItemSemanticsRow
{
    [JsonPropertyName("item")] public string Item { get; set; } = "";
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    /// <summary>ok; invalid (no conforming answer after regenerations); failed (transport failure).</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("samples")] public int Samples { get; set; }
    [JsonPropertyName("valid_samples")] public int ValidSamples { get; set; }
    /// <summary>Which sample's summary was kept (the one agreeing best with the vote).</summary>
    [JsonPropertyName("summary_sample")] public int? SummarySample { get; set; }
    [JsonPropertyName("summary")] public string? Summary { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("description_status")] public string DescriptionStatus { get; set; } = "";
    [JsonPropertyName("tags_status")] public string TagsStatus { get; set; } = "";
    [JsonPropertyName("error")] public string? Error { get; set; }
}

/// <summary>One voted label of one item (<c>item_labels.parquet</c>).</summary>
public sealed class ItemLabelRow
{
    [JsonPropertyName("item")] public string Item { get; set; } = "";
    /// <summary>An id may exist in both domains: (domain, item) names the item.</summary>
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [JsonPropertyName("category_idx")] public int CategoryIdx { get; set; }
    [JsonPropertyName("category")] public string Category { get; set; } = "";
    [JsonPropertyName("label_idx")] public int LabelIdx { get; set; }
    [JsonPropertyName("label")] public string Label { get; set; } = "";
    /// <summary>Samples that chose the label, out of <see cref="Samples"/> valid ones.</summary>
    [JsonPropertyName("votes")] public int Votes { get; set; }
    [JsonPropertyName("samples")] public int Samples { get; set; }
}

/// <summary>One tag of the shared vocabulary T (<c>tag_vocabulary.parquet</c>).</summary>
public sealed class TagRow
{
    [JsonPropertyName("tag_idx")] public int TagIdx { get; set; }
    [JsonPropertyName("tag")] public string Tag { get; set; } = "";
    /// <summary>Domains whose vote kept it, comma-separated.</summary>
    [JsonPropertyName("domains")] public string Domains { get; set; } = "";
    /// <summary>Queries (summed over domains) that proposed it.</summary>
    [JsonPropertyName("votes")] public int Votes { get; set; }
    [JsonPropertyName("queries")] public int Queries { get; set; }
    [JsonPropertyName("mean_score")] public double MeanScore { get; set; }
}

/// <summary>One selected tag of one item with its weight w_i in the weighted multi-hot w_v (<c>item_tags.parquet</c>).</summary>
public sealed class ItemTagRow
{
    [JsonPropertyName("item")] public string Item { get; set; } = "";
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [JsonPropertyName("tag_idx")] public int TagIdx { get; set; }
    [JsonPropertyName("tag")] public string Tag { get; set; } = "";
    [JsonPropertyName("score")] public int Score { get; set; }
    [JsonPropertyName("weight")] public double Weight { get; set; }
}
