namespace CrossDomain.Trainer.Training;

/// <summary>Where each domain's items sit in merged sequences: per sequence, the positions of the target role's items and of the others, in order.</summary>
public static class DomainPositions
{
    public static (List<int[]> Target, List<int[]> Source) Of(IReadOnlyList<int[]> merged, Func<int, bool> inTarget) =>
        (merged.Select(m => Enumerable.Range(0, m.Length).Where(p => inTarget(m[p])).ToArray()).ToList(),
         merged.Select(m => Enumerable.Range(0, m.Length).Where(p => !inTarget(m[p])).ToArray()).ToList());
}
