using static TorchSharp.torch;

namespace CrossDomain.Trainer.Training;

public enum Padding { Left, Right }

/// <summary>
/// A batch of item sequences in one [batch, length] array, 0 for padding. Length is the longest sequence in the
/// batch (capped at the model's maximum), not the maximum itself: short batches cost less. With left padding,
/// <see cref="PositionOffset"/> = max length − length keeps every item at the position index it would have in a
/// batch padded to the full maximum, so trimming changes no result.
/// </summary>
public sealed class PaddedSequences
{
    public required long[] Items { get; init; }
    public required int Batch { get; init; }
    public required int Length { get; init; }
    public required int[] Lengths { get; init; }
    public required Padding Padding { get; init; }
    public int PositionOffset { get; init; }

    public Tensor ToTensor(Device device) => tensor(Items, [Batch, Length], device: device);

    /// <summary>Slot of the k-th (0-based) kept item of row i.</summary>
    public int Slot(int i, int k) => Padding == Padding.Left ? i * Length + (Length - Lengths[i] + k) : i * Length + k;

    /// <summary>The most recent <paramref name="maxLength"/> items of each sequence.</summary>
    public static PaddedSequences From(IReadOnlyList<int[]> sequences, int maxLength, Padding padding)
    {
        var lengths = sequences.Select(s => Math.Min(maxLength, s.Length)).ToArray();
        var length = Math.Max(1, lengths.DefaultIfEmpty(0).Max());
        var result = new PaddedSequences
        {
            Items = new long[sequences.Count * length], Batch = sequences.Count, Length = length, Lengths = lengths,
            Padding = padding, PositionOffset = padding == Padding.Left ? maxLength - length : 0,
        };
        for (int i = 0; i < sequences.Count; i++)
        {
            var s = sequences[i];
            for (int k = 0; k < lengths[i]; k++) result.Items[result.Slot(i, k)] = s[s.Length - lengths[i] + k];
        }
        return result;
    }
}

/// <summary>
/// Next-item training examples from sequences: the input is the sequence without its last item, the positive at
/// each position the item that follows, the negative one draw per position from the sampler.
/// </summary>
public sealed record NextItemBatch(PaddedSequences Input, long[] Positives, long[] Negatives)
{
    public static NextItemBatch From(IReadOnlyList<int[]> sequences, int maxLength, Padding padding, NegativeSampler? sampler)
    {
        var inputs = sequences.Select(s => s.Length > 1 ? s[..^1] : []).ToList();
        var input = PaddedSequences.From(inputs, maxLength, padding);
        var positives = new long[input.Items.Length];
        var negatives = new long[input.Items.Length];
        for (int i = 0; i < sequences.Count; i++)
        {
            var s = sequences[i];
            var history = sampler is null ? null : new HashSet<int>(s);
            for (int k = 0; k < input.Lengths[i]; k++)
            {
                var slot = input.Slot(i, k);
                positives[slot] = s[s.Length - input.Lengths[i] + k];
                if (sampler is not null) negatives[slot] = sampler.Sample(history!);
            }
        }
        return new NextItemBatch(input, positives, negatives);
    }
}
