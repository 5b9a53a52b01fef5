using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Evaluate;

public sealed class EvaluateParams
{
    [Param("Heading of the Markdown results.")]
    public string Title { get; set; } = "Results";

    [Param("Published or reference figures to print beside ours, with the difference: [{ model, direction, protocol, source, values: { HR@10: 55.8 } }] (values in %).")]
    public List<ReferenceFigures> References { get; set; } = [];

    [Param("Models (display names, e.g. SemaCDR, or [SemaCDR, TEMA-LLM]) to pair every other model of the same direction against, seed by seed: one table per model, mean ± std of the per-seed differences and the seeds ahead. Empty: no such table.")]
    public List<string> PairedWith { get; set; } = [];
}

/// <summary>One reference run's test figures (in %), e.g. pmixer/SASRec.pytorch on the same split.</summary>
public sealed class ReferenceFigures
{
    [Param("The model of ours it is compared with (the display name in the tables, e.g. SASRec).")]
    public string Model { get; set; } = "";

    [Param("The direction, e.g. food→kitchen.")]
    public string Direction { get; set; } = "";

    [Param("sampled or full.")]
    public string Protocol { get; set; } = "sampled";

    [Param("Where the figures come from.")]
    public string Source { get; set; } = "";

    [Param("Metric to value in %.")]
    public Dictionary<string, double> Values { get; set; } = [];
}
