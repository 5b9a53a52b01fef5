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

/// <summary>
/// One user of <c>users.parquet</c>. The <c>*_train</c> histories end strictly before the validation interaction
/// and the <c>*_test_input</c> histories strictly before the test interaction, so no input ever holds the item it
/// is asked to predict or anything after it.
/// </summary>
public sealed class FeatureUserRow
{
    [JsonPropertyName("user_idx")] public int UserIdx { get; set; }
    [JsonPropertyName("source_train")] public int[] SourceTrain { get; set; } = [];
    [JsonPropertyName("source_train_timestamps")] public long[] SourceTrainTimestamps { get; set; } = [];
    [JsonPropertyName("target_train")] public int[] TargetTrain { get; set; } = [];
    [JsonPropertyName("target_train_timestamps")] public long[] TargetTrainTimestamps { get; set; } = [];
    [JsonPropertyName("mixed_train")] public int[] MixedTrain { get; set; } = [];
    [JsonPropertyName("mixed_train_domains")] public int[] MixedTrainDomains { get; set; } = [];
    [JsonPropertyName("mixed_train_timestamps")] public long[] MixedTrainTimestamps { get; set; } = [];
    [JsonPropertyName("source_test_input")] public int[] SourceTestInput { get; set; } = [];
    [JsonPropertyName("source_test_input_timestamps")] public long[] SourceTestInputTimestamps { get; set; } = [];
    [JsonPropertyName("target_test_input")] public int[] TargetTestInput { get; set; } = [];
    [JsonPropertyName("target_test_input_timestamps")] public long[] TargetTestInputTimestamps { get; set; } = [];
    [JsonPropertyName("mixed_test_input")] public int[] MixedTestInput { get; set; } = [];
    [JsonPropertyName("mixed_test_input_domains")] public int[] MixedTestInputDomains { get; set; } = [];
    [JsonPropertyName("mixed_test_input_timestamps")] public long[] MixedTestInputTimestamps { get; set; } = [];
    [JsonPropertyName("valid_item")] public int ValidItem { get; set; }
    [JsonPropertyName("valid_timestamp")] public long ValidTimestamp { get; set; }
    [JsonPropertyName("test_item")] public int TestItem { get; set; }
    [JsonPropertyName("test_timestamp")] public long TestTimestamp { get; set; }
}
