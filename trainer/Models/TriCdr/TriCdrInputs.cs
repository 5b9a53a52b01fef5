using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.TriCdr;

/// <summary>
/// One batch of Tri-CDR inputs for one target domain (the reference's role "target"; the other domain is "source"),
/// all derived from each user's merged, time-ordered sequence, as hulkima/Tri-CDR's utils.py derives them:
/// <list type="bullet">
/// <item>three windows of the most recent <c>max_len</c> items, left-padded: the target-domain sequence, the
/// source-domain sequence and the merged ("mix") sequence;</item>
/// <item>the query rows: target slots, each naming its user and its column of the target window (training: every
/// real slot, each predicting the next target item; scoring: each user's last column, predicting the held-out item).
/// Padded slots are left out instead of scored and masked: most of a batch's target window is padding;</item>
/// <item>what each row may attend to: merged elements and source items strictly before the item it predicts (the
/// reference's <c>*_sequence_for_target</c> indices and <c>get_mask_matrix</c>), and target items up to its slot.</item>
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
    /// <summary>[rows]: the user (batch row) of each query row.</summary>
    public required long[] Owner { get; init; }
    /// <summary>[rows]: the query's column of the target window.</summary>
    public required long[] Column { get; init; }
    /// <summary>[rows, mixed length]: merged elements before the predicted item.</summary>
    public required bool[] MixedVisible { get; init; }
    /// <summary>[rows, source length]: source items before the predicted item.</summary>
    public required bool[] SourceVisible { get; init; }
    /// <summary>[rows, target length]: target items up to the slot (causal).</summary>
    public required bool[] TargetVisible { get; init; }
    /// <summary>[rows]: the next target item (training).</summary>
    public long[] Positives { get; init; } = [];
    /// <summary>[rows]: one target-domain negative per row (training).</summary>
    public long[] Negatives { get; init; } = [];

    public int Batch => Target.Batch;
    public int Rows => Owner.Length;

    /// <summary>Each user's last query row (the contrastive terms read it), for users that have one, in batch order.</summary>
    public long[] LastRows => [.. Enumerable.Range(0, Rows).Where(r => r + 1 == Rows || Owner[r + 1] != Owner[r]).Select(r => (long)r)];

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
        var (targetPositions, sourcePositions) = DomainPositions.Of(merged, inTarget);
        var target = PaddedSequences.From(targetPositions.Select((t, i) => t.Select(p => merged[i][p]).ToArray()).ToList(), maxLength, Padding.Left);
        var source = PaddedSequences.From(sourcePositions.Select((s, i) => s.Select(p => merged[i][p]).ToArray()).ToList(), maxLength, Padding.Left);
        var mixed = PaddedSequences.From(merged, maxLength, Padding.Left);
        int lt = target.Length, ls = source.Length, lm = mixed.Length;
        List<long> owner = [], column = [], pos = [], neg = [];
        List<bool> mixedVisible = [], sourceVisible = [], targetVisible = [];
        for (int i = 0; i < b; i++)
        {
            var t = targetPositions[i];
            int keptT = target.Lengths[i], droppedT = t.Length - keptT;
            int keptM = mixed.Lengths[i], droppedM = merged[i].Length - keptM;
            int keptS = source.Lengths[i], droppedS = sourcePositions[i].Length - keptS;
            var history = training ? new HashSet<int>(t.Select(p => merged[i][p]).Append(lastPositives![i])) : null;
            // Training: every kept slot; scoring: the last column (a user without target items still gets a row).
            var slots = training ? Enumerable.Range(0, keptT) : [keptT - 1];
            foreach (var k in slots)
            {
                int full = droppedT + k;
                // Merged position of the item this slot predicts: the next target item, or past the end (the held-out item).
                int predicted = full + 1 < t.Length ? t[full + 1] : merged[i].Length;
                owner.Add(i);
                column.Add(lt - keptT + k);
                for (int w = 0; w < lm; w++) mixedVisible.Add(w >= lm - keptM && droppedM + w - (lm - keptM) < predicted);
                for (int s = 0; s < ls; s++) sourceVisible.Add(s >= ls - keptS && sourcePositions[i][droppedS + s - (ls - keptS)] < predicted);
                for (int j = 0; j < lt; j++) targetVisible.Add(j >= lt - keptT && j <= lt - keptT + k);
                if (training)
                {
                    pos.Add(full + 1 < t.Length ? merged[i][t[full + 1]] : lastPositives![i]);
                    neg.Add(negatives!.Sample(history!));
                }
            }
        }
        return new TriCdrInputs
        {
            Target = target, Source = source, Mixed = mixed, Owner = [.. owner], Column = [.. column],
            MixedVisible = [.. mixedVisible], SourceVisible = [.. sourceVisible], TargetVisible = [.. targetVisible], Positives = [.. pos], Negatives = [.. neg],
        };
    }

    public Tensor MixedMask(Device device) => tensor(MixedVisible, [Rows, Mixed.Length], device: device);
    public Tensor SourceMask(Device device) => tensor(SourceVisible, [Rows, Source.Length], device: device);
    public Tensor TargetMask(Device device) => tensor(TargetVisible, [Rows, Target.Length], device: device);
}
