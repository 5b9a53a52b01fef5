using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.SemaCdr;

/// <summary>
/// One GCN layer as SemaCDR's Appendix C describes it: LeakyReLU(Â X W + b), one propagation step. Computed as
/// Â (X W) + b, the same product in the cheaper order (the propagation then moves d-wide rows, not the wider
/// concatenated views).
/// </summary>
public sealed class GraphConvolution : Module<SparseAdjacency, Tensor, Tensor>
{
    private readonly Linear _weight;
    private readonly Parameter _bias;

    public GraphConvolution(int inputs, int outputs) : base(nameof(GraphConvolution))
    {
        _weight = Linear(inputs, outputs, hasBias: false);
        _bias = new Parameter(zeros(outputs));
        RegisterComponents();
    }

    /// <param name="adjacency">Sparse normalised adjacency Â [n, n].</param>
    /// <param name="features">Node features X [n, inputs].</param>
    public override Tensor forward(SparseAdjacency adjacency, Tensor features) =>
        functional.leaky_relu(adjacency.Multiply(_weight.forward(features)) + _bias);
}
