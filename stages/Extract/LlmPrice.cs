using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// What the model's tokens cost (<c>llm.price</c>), per million tokens, in the user's currency. Read by the estimate
/// and by the report of a run; never part of the fingerprint (a price changes no output).
/// </summary>
public sealed class LlmPrice
{
    [Param("Price of one million prompt (input) tokens.", Min = 0)]
    public double InputPerMillion { get; set; }

    [Param("Price of one million completion (output) tokens.", Min = 0)]
    public double OutputPerMillion { get; set; }

    [Param("Share of the stream price that batch jobs cost (OpenAI and Azure OpenAI Batch: 0.5).", Min = 0, Max = 1)]
    public double BatchFactor { get; set; } = 0.5;

    [Param("Currency shown beside the amounts.")]
    public string Currency { get; set; } = "USD";

    public double Cost(long inputTokens, long outputTokens, bool batch) =>
        (inputTokens * InputPerMillion + outputTokens * OutputPerMillion) / 1e6 * (batch ? BatchFactor : 1);
}
