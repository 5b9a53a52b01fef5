using System.Globalization;
using CrossDomain.Providers.Caching;
using CrossDomain.Providers.Tokens;

namespace CrossDomain.Stages.Extract;

/// <summary>One task's share of an estimate: calls still to make and their tokens.</summary>
public sealed record TaskEstimate(string Task, int Calls, long PromptTokens, long CompletionTokens, string CompletionBasis);

/// <summary>
/// What a run of the extract stage would send, computed without sending anything (<c>run extract --estimate</c>):
/// the calls the per-call cache and the result memo do not already answer, their prompt tokens (rendered exactly as
/// they would be sent), the expected completion tokens and, with <c>llm.price</c>, the cost streamed and batched.
/// </summary>
public sealed class ExtractEstimate
{
    /// <summary>
    /// Typical answer lengths in tokens, used when the cache holds no answered call of the task to measure: a stated
    /// approximation (the JSON shapes of prompts/*.hbs with K = 8 categories and about 10 tags per item).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, int> TypicalAnswerTokens = new Dictionary<string, int>
    {
        ["schema"] = 600, ["tag_vocabulary"] = 450, ["item_semantics"] = 160, ["item_description"] = 120, ["item_tags"] = 90,
    };

    public required string Extractor { get; init; }
    public required int Items { get; init; }
    public int ItemsFromMemo { get; init; }
    public long CachedAnswers { get; init; }
    public required IReadOnlyList<TaskEstimate> Tasks { get; init; }
    public required string Tokenizer { get; init; }
    public IReadOnlyList<string> Assumptions { get; init; } = [];
    public LlmPrice? Price { get; init; }

    public int Calls => Tasks.Sum(t => t.Calls);
    public long PromptTokens => Tasks.Sum(t => t.PromptTokens);
    public long CompletionTokens => Tasks.Sum(t => t.CompletionTokens);

    public static ExtractEstimate From(string extractor, int items, int itemsFromMemo, long cachedAnswers, CallPlan plan,
        PromptTokenCounter counter, CallCache? cache, LlmPrice? price)
    {
        // Observed mean completion per task, from earlier answers with usage recorded.
        var observed = (cache?.All ?? []).Where(c => c.TokensOut > 0).GroupBy(c => c.Task)
            .ToDictionary(g => g.Key, g => (Mean: g.Average(c => (double)c.TokensOut), Count: g.Count()));
        var tasks = plan.Calls.GroupBy(c => c.Task).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var prompt = g.Sum(c => (long)counter.Count(c.Messages));
            var (perCall, basis) = observed.TryGetValue(g.Key, out var o)
                ? (o.Mean, $"mean of {o.Count:N0} cached answers")
                : (TypicalAnswerTokens.GetValueOrDefault(g.Key, 150), "typical length: no cached answer to measure");
            return new TaskEstimate(g.Key, g.Count(), prompt, (long)Math.Round(perCall * g.Count()), basis);
        }).ToList();
        return new ExtractEstimate
        {
            Extractor = extractor, Items = items, ItemsFromMemo = itemsFromMemo, CachedAnswers = cachedAnswers, Tasks = tasks,
            Tokenizer = counter.Description, Price = price,
            Assumptions = [.. plan.StandIns, "every answer conforms (a non-conforming one costs up to max_regenerations more calls)"],
        };
    }

    /// <summary>The estimate as lines for the terminal.</summary>
    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string>
        {
            $"{Calls:N0} call(s) to {Extractor} still to make for {Items:N0} items " +
            $"({CachedAnswers:N0} answers already cached, {ItemsFromMemo:N0} items remembered whole)",
        };
        foreach (var t in Tasks)
            lines.Add($"  {t.Task}: {t.Calls:N0} calls, {t.PromptTokens:N0} prompt tokens, ~{t.CompletionTokens:N0} completion tokens ({t.CompletionBasis})");
        lines.Add($"  total: {PromptTokens:N0} prompt tokens, ~{CompletionTokens:N0} completion tokens; prompt tokens counted with {Tokenizer}");
        if (Price is { } price)
            lines.Add($"  cost: {Money(price.Cost(PromptTokens, CompletionTokens, batch: false), price.Currency)} streamed, " +
                      $"{Money(price.Cost(PromptTokens, CompletionTokens, batch: true), price.Currency)} as batch jobs " +
                      $"(at {price.InputPerMillion.ToString(CultureInfo.InvariantCulture)} / {price.OutputPerMillion.ToString(CultureInfo.InvariantCulture)} per million input / output tokens, batch × {price.BatchFactor.ToString(CultureInfo.InvariantCulture)})");
        else lines.Add("  cost: set llm.price (input_per_million, output_per_million) to see it");
        foreach (var a in Assumptions) lines.Add($"  assumes: {a}");
        return lines;
    }

    public static string Money(double amount, string currency) => $"{amount.ToString("N2", CultureInfo.InvariantCulture)} {currency}";
}
