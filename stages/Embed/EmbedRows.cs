using System.Text.Json.Serialization;

namespace CrossDomain.Stages.Embed;

/// <summary>One vector (<c>embeddings.parquet</c>): item, text kind, and the L2-normalised embedding.</summary>
public sealed class EmbeddingRow
{
    [JsonPropertyName("item")] public string Item { get; set; } = "";
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [JsonPropertyName("text_kind")] public string TextKind { get; set; } = "";
    /// <summary>False when the item had no such text: the vector is then all zeros (missing_text: zero).</summary>
    [JsonPropertyName("has_text")] public bool HasText { get; set; }
    [JsonPropertyName("vector")] public float[] Vector { get; set; } = [];
}

/// <summary>One term of a fitted LSA projection (<c>projections/lsa_&lt;kind&gt;.parquet</c>).</summary>
public sealed class LsaTermRow
{
    [JsonPropertyName("term")] public string Term { get; set; } = "";
    [JsonPropertyName("idf")] public float Idf { get; set; }
    /// <summary>The term's loading on each of the d components.</summary>
    [JsonPropertyName("loadings")] public float[] Loadings { get; set; } = [];
}

public sealed class EmbedReport
{
    public string Embedder { get; set; } = "";
    public string Model { get; set; } = "";
    public int Dimensions { get; set; }
    public bool Synthetic { get; set; }
    public List<EmbedKindReport> Kinds { get; set; } = [];
    public long Attempts { get; set; }
    public long Retries { get; set; }
    /// <summary>Network embedders: input tokens the provider reported for this run's requests (0 where it reports none).</summary>
    public long Tokens { get; set; }
    public double WallSeconds { get; set; }
}

public sealed class EmbedKindReport
{
    /// <summary>No item had this text: nothing was fitted or sent, every vector is zero.</summary>
    public bool Skipped { get; set; }
    public string TextKind { get; set; } = "";
    public int Items { get; set; }
    public int Missing { get; set; }
    /// <summary>Texts embedded in this run (network embedders: sent; lsa: all of them).</summary>
    public int Embedded { get; set; }
    public int CacheHits { get; set; }
    public int Requests { get; set; }
    public double Seconds { get; set; }
    public double TextsPerSecond { get; set; }
    /// <summary>lsa: terms in the fitted vocabulary.</summary>
    public int? Vocabulary { get; set; }
}
