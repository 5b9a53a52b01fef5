using System.Text.Json;

namespace CrossDomain.Stages;

/// <summary>JSON options for the small reports every stage writes (ingest report, dataset stats, synthetic manifest).</summary>
public static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
