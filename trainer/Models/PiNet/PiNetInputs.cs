using CrossDomain.Trainer.Training;

namespace CrossDomain.Trainer.Models.PiNet;

/// <summary>
/// One batch of π-Net inputs for one target domain, from each user's merged, time-ordered sequence (as
/// mamuyang/PINet's <c>pos_A</c>/<c>pos_B</c>): the target and source sequences (their most recent <c>max_len</c>
/// items, right-padded for the GRUs), for each source item the target position whose encoder output it reads (the
/// latest target item before it, −1 for none: the reference's zero state), and for each target slot the source
/// position whose transferred state it reads (the latest source item before the item the slot predicts, −1 for none).
/// Training: every target item but the last predicts the next one; scoring: the last target item predicts the held-out item.
/// </summary>
public sealed class PiNetInputs
{
    public required PaddedSequences Target { get; init; }
    public required PaddedSequences Source { get; init; }
    /// <summary>[batch, source length]: index into the user's target window, or −1.</summary>
    public required long[] SourceReads { get; init; }
    /// <summary>[rows]: the user of each prediction row.</summary>
    public required long[] Owner { get; init; }
    /// <summary>[rows]: the target window slot whose encoder output the row reads, or −1 (no target item yet).</summary>
    public required long[] TargetSlot { get; init; }
    /// <summary>[rows]: the source window slot whose transferred state the row reads, or −1.</summary>
    public required long[] SourceSlot { get; init; }
    /// <summary>[rows]: the item each row predicts (training).</summary>
    public long[] Positives { get; init; } = [];
    /// <summary>[rows]: one negative per row from the target domain outside the user's target training items (training).</summary>
    public long[] Negatives { get; init; } = [];

    public int Rows => Owner.Length;

    public static PiNetInputs ForTraining(IReadOnlyList<int[]> merged, Func<int, bool> inTarget, int maxLength, NegativeSampler negatives) =>
        Build(merged, inTarget, maxLength, negatives);

    public static PiNetInputs ForScoring(IReadOnlyList<int[]> inputs, Func<int, bool> inTarget, int maxLength) =>
        Build(inputs, inTarget, maxLength, null);

    private static PiNetInputs Build(IReadOnlyList<int[]> merged, Func<int, bool> inTarget, int maxLength, NegativeSampler? negatives)
    {
        bool training = negatives is not null;
        int b = merged.Count;
        var (targetAt, sourceAt) = DomainPositions.Of(merged, inTarget);
        // Training reads the target items but the last (only a positive); scoring reads them all.
        var targetInputs = targetAt.Select((t, i) => (training ? t[..Math.Max(0, t.Length - 1)] : t).Select(p => merged[i][p]).ToArray()).ToList();
        var target = PaddedSequences.From(targetInputs, maxLength, Padding.Right);
        var source = PaddedSequences.From(sourceAt.Select((s, i) => s.Select(p => merged[i][p]).ToArray()).ToList(), maxLength, Padding.Right);
        var sourceReads = new long[b * source.Length];
        Array.Fill(sourceReads, -1);
        List<long> owner = [], targetSlot = [], sourceSlot = [], pos = [], neg = [];
        for (int i = 0; i < b; i++)
        {
            var t = targetAt[i];
            var s = sourceAt[i];
            int inputs = targetInputs[i].Length, droppedT = inputs - target.Lengths[i], droppedS = s.Length - source.Lengths[i];
            // The latest kept slot of a window whose merged position is before `before`, or −1.
            static long Latest(int[] at, int dropped, int kept, int before)
            {
                long slot = -1;
                for (int k = 0; k < kept; k++) if (at[dropped + k] < before) slot = k;
                return slot;
            }
            for (int k = 0; k < source.Lengths[i]; k++)
                sourceReads[i * source.Length + k] = Latest(t, droppedT, target.Lengths[i], s[droppedS + k]);
            var history = training ? new HashSet<int>(t.Select(p => merged[i][p])) : null;
            var slots = training ? Enumerable.Range(0, target.Lengths[i]) : [target.Lengths[i] - 1];
            foreach (var k in slots)
            {
                int full = droppedT + k;
                // Merged position of the predicted item: the next target item, or past the end (the held-out item).
                int predicted = full + 1 < t.Length ? t[full + 1] : merged[i].Length;
                owner.Add(i);
                targetSlot.Add(k);
                sourceSlot.Add(Latest(s, droppedS, source.Lengths[i], predicted));
                if (training)
                {
                    pos.Add(merged[i][t[full + 1]]);
                    neg.Add(negatives!.Sample(history!));
                }
            }
        }
        return new PiNetInputs
        {
            Target = target, Source = source, SourceReads = sourceReads, Owner = [.. owner], TargetSlot = [.. targetSlot], SourceSlot = [.. sourceSlot],
            Positives = [.. pos], Negatives = [.. neg],
        };
    }
}
