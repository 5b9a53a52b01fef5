using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Negatives;

public sealed class NegativesParams : IValidatableParams
{
    [Param("Seeds to draw for; every train stage reading these negatives must use seeds from this list.", Min = 0)]
    public List<int> Seeds { get; set; } = [42];

    [Param("Negatives per test case (the papers' sampled protocol: 100).", Min = 1)]
    public int Count { get; set; } = 100;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Seeds.Count == 0) yield return ("seeds", "give at least one seed");
        if (Seeds.Distinct().Count() != Seeds.Count) yield return ("seeds", "seeds must be distinct");
        if (Count < 1) yield return ("count", "must be >= 1");
    }
}
