using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.TriCdr;

/// <summary>
/// One batch of Tri-CDR inputs for one target domain (the reference's role "target"; the other domain is "source"),
/// all derived from each user's merged, time-ordered sequence, as hulkima/Tri-CDR's utils.py derives them:
/// <list type="bullet">
/// <item>three windows of the most recent <c>max_len</c> items, left-padded: the target-domain sequence, the
/// source-domain sequence and the merged ("mix") sequence;</item>
/// <item>the query slots: the last <see cref="Slots"/> columns of the target window (training: every column, each
/// predicting the next target item; scoring: the last column, predicting the held-out item);</item>
/// <item>what each slot may attend to: merged elements and source items strictly before the item it predicts (the
/// reference's <c>*_sequence_for_target</c> indices and <c>get_mask_matrix</c>), and target items up to the slot.</item>
/// </list>
/// Training reads the merged training sequence up to the last target item (later elements precede no training
/// target, so no slot could see them); the target input is the target items without the last, the positives the
/// next target items, one negative per slot from the target domain outside the user's target training items.
/// </summary>
public sealed class TriCdrInputs
{
    public required PaddedSequences Target { get; init; }
    public required PaddedSequences Source { get; init; }
    public required PaddedSequences Mixed { get; init; }
    /// <summary>Query slots: the last <see cref="Slots"/> columns of <see cref="Target"/>.</summary>
    public required int Slots { get; init; }
    /// <summary>[batch, slots, mixed length]: merged elements before the predicted item.</summary>
    public required bool[] MixedVisible { get; init; }
    /// <summary>[batch, slots, source length]: source items before the predicted item.</summary>
    public required bool[] SourceVisible { get; init; }
    /// <summary>[batch, slots, target length]: target items up to the slot (causal).</summary>
    public required bool[] TargetVisible { get; init; }
    /// <summary>[batch, slots]: the next target item (training), 0 where the slot is padding.</summary>
    public long[] Positives { get; init; } = [];
    /// <summary>[batch, slots]: one target-domain negative per slot (training), 0 where the slot is padding.</summary>
    public long[] Negatives { get; init; } = [];

    public int Batch => Target.Batch;

    /// <param name="merged">Each user's merged training sequence.</param>
    /// <param name="inTarget">Whether an item belongs to the target role's domain.</param>
    public static TriCdrInputs ForTraining(IReadOnlyList<int[]> merged, Func<int, bool> inTarget, int maxLength, NegativeSampler negatives)
    {
        // Up to (not including) each user's last target item: that item is only ever a positive.
        var last = merged.Select(m => Array.FindLastIndex(m, inTarget.Invoke)).ToList();
        var cut = merged.Select((m, i) => last[i] < 0 ? [] : m[..last[i]]).ToList();
        var positives = merged.Select((m, i) => last[i] < 0 ? 0 : m[last[i]]).ToList();
        return Build(cut, positives, inTarget, maxLength, training: true, negatives);
    }

    /// <param name="inputs">Each user's merged input at the split (never the held-out item).</param>
    public static TriCdrInputs ForScoring(IReadOnlyList<int[]> inputs, Func<int, bool> inTarget, int maxLength) =>
        Build(inputs, null, inTarget, maxLength, training: false, null);

    private static TriCdrInputs Build(IReadOnlyList<int[]> merged, List<int>? lastPositives, Func<int, bool> inTarget, int maxLength, bool training, NegativeSampler? negatives)
    {
        int b = merged.Count;
        var targetPositions = merged.Select(m => Enumerable.Range(0, m.Length).Where(p => inTarget(m[p])).ToArray()).ToList();
        var sourcePositions = merged.Select(m => Enumerable.Range(0, m.Length).Where(p => !inTarget(m[p])).ToArray()).ToList();
        var target = PaddedSequences.From(targetPositions.Select((t, i) => t.Select(p => merged[i][p]).ToArray()).ToList(), maxLength, Padding.Left);
        var source = PaddedSequences.From(sourcePositions.Select((s, i) => s.Select(p => merged[i][p]).ToArray()).ToList(), maxLength, Padding.Left);
        var mixed = PaddedSequences.From(merged, maxLength, Padding.Left);
        int slots = training ? target.Length : 1, lt = target.Length, ls = source.Length, lm = mixed.Length;
        var mixedVisible = new bool[b * slots * lm];
        var sourceVisible = new bool[b * slots * ls];
        var targetVisible = new bool[b * slots * lt];
        var pos = training ? new long[b * slots] : [];
        var neg = training ? new long[b * slots] : [];
        for (int i = 0; i < b; i++)
        {
            var t = targetPositions[i];
            int keptT = target.Lengths[i], droppedT = t.Length - keptT;
            int droppedM = merged[i].Length - mixed.Lengths[i], droppedS = sourcePositions[i].Length - source.Lengths[i];
            var history = training ? new HashSet<int>(t.Select(p => merged[i][p]).Append(lastPositives![i])) : null;
            for (int k = 0; k < keptT; k++)
            {
                int column = lt - keptT + k, slot = column - (lt - slots);
                if (slot < 0) continue;
                int full = droppedT + k;
                // Merged position of the item this slot predicts: the next target item, or past the end (the held-out item).
                int predicted = full + 1 < t.Length ? t[full + 1] : merged[i].Length;
                int row = i * slots + slot;
                for (int w = 0; w < mixed.Lengths[i]; w++)
                    if (droppedM + w < predicted) mixedVisible[row * lm + lm - mixed.Lengths[i] + w] = true;
                for (int s = 0; s < source.Lengths[i]; s++)
                    if (sourcePositions[i][droppedS + s] < predicted) sourceVisible[row * ls + ls - source.Lengths[i] + s] = true;
                for (int j = 0; j <= k; j++) targetVisible[row * lt + lt - keptT + j] = true;
                if (training)
                {
                    var next = full + 1 < t.Length ? merged[i][t[full + 1]] : lastPositives![i];
                    pos[row] = next;
                    neg[row] = negatives!.Sample(history!);
                }
            }
        }
        return new TriCdrInputs
        {
            Target = target, Source = source, Mixed = mixed, Slots = slots,
            MixedVisible = mixedVisible, SourceVisible = sourceVisible, TargetVisible = targetVisible, Positives = pos, Negatives = neg,
        };
    }

    public Tensor MixedMask(Device device) => tensor(MixedVisible, [Batch, Slots, Mixed.Length], device: device);
    public Tensor SourceMask(Device device) => tensor(SourceVisible, [Batch, Slots, Source.Length], device: device);
    public Tensor TargetMask(Device device) => tensor(TargetVisible, [Batch, Slots, Target.Length], device: device);
}
