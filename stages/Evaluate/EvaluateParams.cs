using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Evaluate;

public sealed class EvaluateParams
{
    [Param("Heading of the Markdown results.")]
    public string Title { get; set; } = "Results";
}
