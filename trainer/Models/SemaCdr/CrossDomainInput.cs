using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.SemaCdr;

/// <summary>
/// One batch of SemaCDR inputs as arrays: the target sequence (each slot predicts the next target item), the
/// source and mixed sequences, and how they line up in time.
/// <list type="bullet">
/// <item><see cref="CrossVisible"/>: a target slot may attend to a source interaction only if it happened strictly
/// before the target item that slot predicts (by timestamp; a source interaction on the same day is hidden).</item>
/// <item><see cref="MixedState"/>: for each target slot, the mixed-sequence position just before the predicted
/// item in chronological order (-1 when the kept mixed window does not reach back that far).</item>
/// </list>
/// <item><see cref="UserPrefix"/>: for each target slot, how many elements of the user's whole mixed history
/// (<see cref="History"/>, not cut to the window) come before the predicted item: the causal user vector reads only those.</item>
/// Training: the target input is <c>target_train</c> without its last item and the slots' positives are the next
/// items. Scoring: the inputs at the split, and the last slot predicts the validation (or test) item.
/// </summary>
public sealed class CrossDomainInput
{
    public required PaddedSequences Target { get; init; }
    public required PaddedSequences Source { get; init; }
    public required PaddedSequences Mixed { get; init; }
    /// <summary>[batch, target length, source length].</summary>
    public required bool[] CrossVisible { get; init; }
    /// <summary>[batch, target length]: index into the mixed row, or -1.</summary>
    public required long[] MixedState { get; init; }
    public required long[] Users { get; init; }
    /// <summary>Each user's whole mixed history (right-padded), in chronological order.</summary>
    public required PaddedSequences History { get; init; }
    /// <summary>[batch, history length]: true where an item occurs in its row for the first time.</summary>
    public required bool[] HistoryFirst { get; init; }
    /// <summary>[batch, target length]: how many history elements come before the item the slot predicts.</summary>
    public required long[] UserPrefix { get; init; }
    public long[] Positives { get; init; } = [];
    public long[] Negatives { get; init; } = [];

    public static CrossDomainInput ForTraining(IReadOnlyList<FeatureTables.UserRow> users, int maxLength, NegativeSampler negatives) =>
        Build(users, maxLength, u => (u.TargetTrain, u.TargetTrainTimestamps, u.SourceTrain, u.SourceTrainTimestamps, u.MixedTrain, u.MixedTrainDomains, Predicted: null), negatives);

    public static CrossDomainInput ForScoring(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, int maxLength) =>
        Build(users, maxLength, u => split == EvalSplit.Valid
            ? (u.TargetTrain, u.TargetTrainTimestamps, u.SourceTrain, u.SourceTrainTimestamps, u.MixedTrain, u.MixedTrainDomains, Predicted: u.ValidTimestamp)
            : (u.TargetTestInput, u.TargetTestInputTimestamps, u.SourceTestInput, u.SourceTestInputTimestamps, u.MixedTestInput, u.MixedTestInputDomains, Predicted: (long?)u.TestTimestamp), null);

    private static CrossDomainInput Build(IReadOnlyList<FeatureTables.UserRow> users, int maxLength,
        Func<FeatureTables.UserRow, (int[] T, long[] Tts, int[] S, long[] Sts, int[] M, int[] Md, long? Predicted)> pick, NegativeSampler? negatives)
    {
        int b = users.Count;
        var rows = users.Select(pick).ToList();
        // Extended target sequence: the input plus the item each slot predicts (training: already the last item of T).
        var inputs = rows.Select(r => r.Predicted is null ? r.T[..Math.Max(0, r.T.Length - 1)] : r.T).ToList();
        var target = PaddedSequences.From(inputs, maxLength, Padding.Left);
        var source = PaddedSequences.From(rows.Select(r => r.S).ToList(), maxLength, Padding.Left);
        var mixed = PaddedSequences.From(rows.Select(r => r.M).ToList(), maxLength, Padding.Left);
        var history = PaddedSequences.From(rows.Select(r => r.M).ToList(), int.MaxValue, Padding.Right);
        var first = new bool[history.Items.Length];
        for (int i = 0; i < b; i++)
        {
            var seen = new HashSet<int>();
            for (int k = 0; k < rows[i].M.Length; k++) first[history.Slot(i, k)] = seen.Add(rows[i].M[k]);
        }
        var prefix = new long[b * target.Length];
        var visible = new bool[b * target.Length * source.Length];
        var state = new long[b * target.Length];
        Array.Fill(state, -1);
        var positives = negatives is null ? [] : new long[b * target.Length];
        var negs = negatives is null ? [] : new long[b * target.Length];
        for (int i = 0; i < b; i++)
        {
            var r = rows[i];
            var extended = r.Predicted is null ? r.T : [.. r.T, 0];
            var extendedTs = r.Predicted is null ? r.Tts : [.. r.Tts, r.Predicted.Value];
            // Target occurrences in the (extended) mixed sequence: a suffix of the extended target sequence.
            var occurrences = new List<int>();
            for (int p = 0; p < r.M.Length; p++) if (r.Md[p] == 1) occurrences.Add(p);
            if (r.Predicted is not null) occurrences.Add(r.M.Length);
            int n = inputs[i].Length, kept = target.Lengths[i], droppedTarget = n - kept;
            int droppedMixed = r.M.Length - mixed.Lengths[i];
            int droppedSource = r.S.Length - source.Lengths[i];
            var seenTargets = negatives is null ? null : new HashSet<int>(r.T);
            for (int k = 0; k < kept; k++)
            {
                int slot = target.Slot(i, k), full = droppedTarget + k; // position in the untruncated input
                var predictedTs = extendedTs[full + 1];
                var occurrence = (full + 1) - (extended.Length - occurrences.Count);
                if (occurrence >= 0)
                {
                    prefix[slot] = occurrences[occurrence]; // else unknown (history cut upstream): the user's items stay out
                    var before = occurrences[occurrence] - 1 - droppedMixed; // the mixed element just before the predicted item, in the kept window
                    if (before >= 0) state[slot] = mixed.Slot(i, before) - i * mixed.Length;
                }
                for (int s = 0; s < source.Lengths[i]; s++)
                    if (r.Sts[droppedSource + s] < predictedTs)
                        visible[slot * source.Length + (source.Slot(i, s) - i * source.Length)] = true;
                if (negatives is not null)
                {
                    positives[slot] = extended[full + 1];
                    negs[slot] = negatives.Sample(seenTargets!);
                }
            }
        }
        return new CrossDomainInput
        {
            Target = target, Source = source, Mixed = mixed, CrossVisible = visible, MixedState = state,
            Users = users.Select(u => (long)u.UserIdx).ToArray(), Positives = positives, Negatives = negs,
            History = history, HistoryFirst = first, UserPrefix = prefix,
        };
    }

    public Tensor CrossMask(Device device) => tensor(CrossVisible, [Target.Batch, Target.Length, Source.Length], device: device);

    /// <summary>
    /// A merged-sequence encoder's states [batch, mixed length, d] read at each target slot's <see cref="MixedState"/>
    /// (the element just before the predicted item): [batch, target length, d], a zero vector where there is none.
    /// </summary>
    public Tensor AtMixedState(Tensor merged)
    {
        long b = merged.shape[0], lm = merged.shape[1], d = merged.shape[2];
        var padded = cat([zeros(b, 1, d, dtype: merged.dtype, device: merged.device), merged], 1).reshape(b * (lm + 1), d);
        var rows = new long[MixedState.Length];
        for (int k = 0; k < rows.Length; k++) rows[k] = (k / Target.Length) * (lm + 1) + MixedState[k] + 1;
        return padded.index_select(0, tensor(rows, device: merged.device)).view(Target.Batch, Target.Length, d);
    }
}
