using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.SemaCdr;

/// <summary>One GCN layer as SemaCDR's Appendix C describes it: LeakyReLU(Â X W + b), one propagation step.</summary>
public sealed class GraphConvolution : Module<SparseAdjacency, Tensor, Tensor>
{
    private readonly Linear _weight;

    public GraphConvolution(int inputs, int outputs) : base(nameof(GraphConvolution))
    {
        _weight = Linear(inputs, outputs); // W and b, applied to the propagated features: (Â X) W + b
        RegisterComponents();
    }

    /// <param name="adjacency">Sparse normalised adjacency Â [n, n].</param>
    /// <param name="features">Node features X [n, inputs].</param>
    public override Tensor forward(SparseAdjacency adjacency, Tensor features) =>
        functional.leaky_relu(_weight.forward(adjacency.Multiply(features)));
}
