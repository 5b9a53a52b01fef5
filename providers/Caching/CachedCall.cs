using System.Text.Json.Serialization;

namespace CrossDomain.Providers.Caching;

/// <summary>
/// One completed LLM call. <see cref="Key"/> is the hash of everything that determines the answer (provider, model,
/// template and its version, rendered prompt, sampling parameters, sample index); the rest is for people reading
/// the cache with <c>crossdomain inspect</c>.
/// </summary>
public sealed class CachedCall
{
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    [JsonPropertyName("task")] public string Task { get; set; } = "";
    /// <summary>What the call was about: an item id, a domain, a schema sample.</summary>
    [JsonPropertyName("subject")] public string Subject { get; set; } = "";
    [JsonPropertyName("sample")] public int Sample { get; set; }
    /// <summary>0 for the first answer, 1.. for regenerations after a non-conforming one.</summary>
    [JsonPropertyName("attempt")] public int Attempt { get; set; }
    [JsonPropertyName("provider")] public string Provider { get; set; } = "";
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("template")] public string Template { get; set; } = "";
    [JsonPropertyName("response")] public string Response { get; set; } = "";
    [JsonPropertyName("tokens_in")] public long TokensIn { get; set; }
    [JsonPropertyName("tokens_out")] public long TokensOut { get; set; }
    [JsonPropertyName("latency_ms")] public double LatencyMs { get; set; }
    [JsonPropertyName("created_utc")] public DateTime CreatedUtc { get; set; }
}
