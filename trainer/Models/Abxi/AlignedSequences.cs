namespace CrossDomain.Trainer.Models.Abxi;

/// <summary>
/// ABXI's inputs, left-padded to a fixed length (ABXI pads every sequence to len_trim, so a user's result never depends
/// on who shares the batch). Training (dataloader.py, <c>process_train</c> and <c>get_spe_seq</c>, "task-guided
/// alignment"): over the merged training sequence s, the input x = s[:-1] and the targets gt = s[1:]; the domain
/// sequences A and B hold at each position whose target is in that domain the latest item of that domain before the
/// target, so that causal attention over them at that position sees exactly the domain's history before it; a target
/// with no earlier item of its domain gets padding there. Scoring: x is the input sequence, and A and B follow
/// <see cref="AbxiScoringInputs"/>.
/// </summary>
public sealed record AlignedSequences(int Batch, int Length, long[] Mixed, long[] DomainA, long[] DomainB, long[] Targets)
{
    public static AlignedSequences ForTraining(IReadOnlyList<int[]> merged, int length, Func<int, bool> inA)
    {
        var result = Empty(merged.Count, length);
        for (int u = 0; u < merged.Count; u++)
        {
            var s = merged[u];
            if (s.Length < 2) continue;
            var n = s.Length - 1;
            var x = s[..n];
            var gt = s[1..];
            List<int> slotsA = [], slotsB = [];
            for (int t = 0; t < n; t++) (inA(gt[t]) ? slotsA : slotsB).Add(t);
            // The first target of the domain s[0] is not in has no earlier item of its domain.
            if (inA(s[0])) { if (slotsB.Count > 0) slotsB.RemoveAt(0); }
            else if (slotsA.Count > 0) slotsA.RemoveAt(0);
            var itemsA = x.Where(inA).ToList();
            var itemsB = x.Where(i => !inA(i)).ToList();
            // The input's last item of the domain s[^1] is not in precedes no target of its domain.
            if (inA(s[^1])) { if (itemsB.Count > 0) itemsB.RemoveAt(itemsB.Count - 1); }
            else if (itemsA.Count > 0) itemsA.RemoveAt(itemsA.Count - 1);
            if (itemsA.Count != slotsA.Count || itemsB.Count != slotsB.Count)
                throw new InvalidOperationException($"task-guided alignment: {itemsA.Count}/{slotsA.Count} A and {itemsB.Count}/{slotsB.Count} B items for slots");
            var a = new int[n];
            var b = new int[n];
            for (int k = 0; k < slotsA.Count; k++) a[slotsA[k]] = itemsA[k];
            for (int k = 0; k < slotsB.Count; k++) b[slotsB[k]] = itemsB[k];
            result.Place(u, x, a, b, gt);
        }
        return result;
    }

    public static AlignedSequences ForScoring(IReadOnlyList<int[]> inputs, int length, Func<int, bool> inA, AbxiScoringInputs mode, int anyA, int anyB)
    {
        var result = Empty(inputs.Count, length);
        for (int u = 0; u < inputs.Count; u++)
        {
            var x = inputs[u];
            int[] a, b;
            switch (mode)
            {
                case AbxiScoringInputs.Aligned:
                    // The training alignment of x followed by a target of each domain: its last slot holds the domain's latest item.
                    a = [.. ForTraining([[.. x, anyA]], x.Length, inA).DomainA.Select(i => (int)i)];
                    b = [.. ForTraining([[.. x, anyB]], x.Length, inA).DomainB.Select(i => (int)i)];
                    break;
                case AbxiScoringInputs.InPlace:
                    (a, b) = ([.. x.Select(i => inA(i) ? i : 0)], [.. x.Select(i => inA(i) ? 0 : i)]);
                    break;
                default:
                    (a, b) = (x, [.. x.Select(i => inA(i) ? 0 : i)]);
                    break;
            }
            result.Place(u, x, a, b, new int[x.Length]);
        }
        return result;
    }

    private static AlignedSequences Empty(int batch, int length) =>
        new(batch, length, new long[batch * length], new long[batch * length], new long[batch * length], new long[batch * length]);

    /// <summary>Row u ← the last <see cref="Length"/> positions of the four equally long arrays, left-padded.</summary>
    private void Place(int u, int[] x, int[] a, int[] b, int[] gt)
    {
        var keep = Math.Min(Length, x.Length);
        for (int k = 0; k < keep; k++)
        {
            int from = x.Length - keep + k, to = u * Length + Length - keep + k;
            Mixed[to] = x[from];
            DomainA[to] = a[from];
            DomainB[to] = b[from];
            Targets[to] = gt[from];
        }
    }
}
