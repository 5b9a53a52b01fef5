using System.Text.Json.Serialization;

namespace CrossDomain.Stages.Train;

/// <summary>One metric of one seed, split and protocol: the long format every results table is built from.</summary>
public sealed class ResultRow
{
    [JsonPropertyName("direction")] public string Direction { get; set; } = "";
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("stage")] public string Stage { get; set; } = "";
    [JsonPropertyName("seed")] public int Seed { get; set; }
    [JsonPropertyName("split")] public string Split { get; set; } = "";
    [JsonPropertyName("protocol")] public string Protocol { get; set; } = "";
    [JsonPropertyName("metric")] public string Metric { get; set; } = "";
    [JsonPropertyName("value")] public double Value { get; set; }
    [JsonPropertyName("best_epoch")] public int BestEpoch { get; set; }
    [JsonPropertyName("epochs")] public int Epochs { get; set; }
}

/// <summary>One epoch of one seed: the training curve (validation columns are null on epochs without validation).</summary>
public sealed class HistoryRow
{
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("seed")] public int Seed { get; set; }
    [JsonPropertyName("epoch")] public int Epoch { get; set; }
    [JsonPropertyName("loss")] public double Loss { get; set; }
    [JsonPropertyName("seconds")] public double Seconds { get; set; }
    [JsonPropertyName("is_best")] public bool IsBest { get; set; }
    [JsonPropertyName("valid_full_hr10")] public double? ValidFullHr10 { get; set; }
    [JsonPropertyName("valid_full_ndcg10")] public double? ValidFullNdcg10 { get; set; }
    [JsonPropertyName("valid_full_mrr")] public double? ValidFullMrr { get; set; }
    [JsonPropertyName("valid_sampled_hr10")] public double? ValidSampledHr10 { get; set; }
    [JsonPropertyName("valid_sampled_ndcg10")] public double? ValidSampledNdcg10 { get; set; }
    [JsonPropertyName("valid_sampled_mrr")] public double? ValidSampledMrr { get; set; }
}

/// <summary>
/// One item's representation as a trained model scores with it (<c>IItemRepresentations</c>), at one seed's best
/// checkpoint: <c>item_representations.parquet</c>, empty for a model that exposes none.
/// </summary>
public sealed class ItemRepresentationRow
{
    [JsonPropertyName("seed")] public int Seed { get; set; }
    [JsonPropertyName("item_idx")] public int ItemIdx { get; set; }
    /// <summary>source or target (the features' item role).</summary>
    [JsonPropertyName("role")] public string Role { get; set; } = "";
    /// <summary>The domain's name from the features' manifest (food, kitchen, …).</summary>
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [JsonPropertyName("vector")] public float[] Vector { get; set; } = [];
}
