using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.Layers;

/// <summary>
/// A sparse matrix as an edge list. Â X is computed as a gather of X's rows and a scatter_add into the output rows:
/// on CPU this sums in a fixed order, so one seed gives bit-identical results (libtorch's sparse COO product over
/// an uncoalesced tensor does not, and TorchSharp exposes no coalesce).
/// </summary>
public sealed class SparseAdjacency(int nodes, Tensor rows, Tensor cols, Tensor weights) : IDisposable
{
    /// <summary>
    /// Â from its entries (row, column, value), sorted as the caller wants them summed. Built once and kept by a model:
    /// the tensors live outside any batch's dispose scope.
    /// </summary>
    public static SparseAdjacency FromEdges(int nodes, long[] rows, long[] cols, float[] values, Device device) =>
        new(nodes, tensor(rows, device: device).DetachFromDisposeScope(), tensor(cols, device: device).DetachFromDisposeScope(),
            tensor(values, device: device).unsqueeze(1).DetachFromDisposeScope());

    public int Nodes => nodes;
    public long Edges => rows.shape[0];

    /// <remarks>
    /// scatter_add, which takes no Scalar: index_add's alpha would be a temporary TorchSharp Scalar, which a
    /// collection during the (long) native call can finalise mid-use (see <see cref="Torch.KeptScalars"/>).
    /// </remarks>
    public Tensor Multiply(Tensor features)
    {
        var d = features.shape[1];
        return zeros(nodes, d, dtype: features.dtype, device: features.device)
            .scatter_add(0, rows.unsqueeze(1).expand(-1, d), features.index_select(0, cols) * weights);
    }

    public void Dispose()
    {
        rows.Dispose();
        cols.Dispose();
        weights.Dispose();
    }
}
