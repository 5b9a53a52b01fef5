using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.Mgcl;

/// <summary>
/// The user sequence graph of MGCL's intra-domain item view, made causal: its nodes are the user's items, with an
/// edge a → b for every transition (a followed by b) in the merged sequence. Element k of the window reads its item's
/// in-neighbours over the transitions seen up to k (each earlier element j whose successor j + 1 ≤ k is k's item),
/// so no element reads a later interaction. As a row-normalised matrix [batch, length, length] over window positions;
/// a row without in-neighbours is zero (the first element, or a first occurrence after padding).
/// </summary>
public static class SequenceGraph
{
    public static float[] InNeighbours(PaddedSequences window)
    {
        if (window.Padding != Padding.Left) throw new ArgumentException("the sequence graph reads a left-padded window");
        int b = window.Batch, l = window.Length;
        var matrix = new float[b * l * l];
        for (int i = 0; i < b; i++)
        {
            int start = l - window.Lengths[i]; // left padding: real positions are start..l-1
            for (int k = start + 1; k < l; k++)
            {
                var item = window.Items[i * l + k];
                int count = 0;
                for (int j = start; j < k; j++)
                    if (window.Items[i * l + j + 1] == item) count++;
                if (count == 0) continue;
                for (int j = start; j < k; j++)
                    if (window.Items[i * l + j + 1] == item) matrix[(i * l + k) * l + j] = 1f / count;
            }
        }
        return matrix;
    }

    public static Tensor Tensor(PaddedSequences window, Device device) =>
        tensor(InNeighbours(window), [window.Batch, window.Length, window.Length], device: device);
}
