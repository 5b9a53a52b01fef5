using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Models.Layers;

namespace CrossDomain.Trainer.Models.SemaCdr;

/// <summary>
/// One GCN layer as SemaCDR's Appendix C describes it: LeakyReLU(Â X W + b), one propagation step. Computed as
/// Â (X W) + b, the same product in the cheaper order (the propagation then moves d-wide rows, not the wider
/// concatenated views). With <c>residual</c>, the node's own transformed features are added back,
/// LeakyReLU(Â X W + b) + X W: on dense co-interaction graphs Â gives a node's own row a weight of 1/(degree + 1),
/// so one propagation step leaves items of a domain nearly alike (docs/models.md, "SemaCDR").
/// </summary>
public sealed class GraphConvolution : Module<SparseAdjacency, Tensor, Tensor>
{
    private readonly Linear _weight;
    private readonly Parameter _bias;
    private readonly bool _residual;

    public GraphConvolution(int inputs, int outputs, bool residual = false) : base(nameof(GraphConvolution))
    {
        _residual = residual;
        _weight = Linear(inputs, outputs, hasBias: false);
        _bias = new Parameter(zeros(outputs));
        RegisterComponents();
    }

    /// <param name="adjacency">Sparse normalised adjacency Â [n, n].</param>
    /// <param name="features">Node features X [n, inputs].</param>
    public override Tensor forward(SparseAdjacency adjacency, Tensor features)
    {
        var xw = Transform(features);
        return Activate(adjacency.Multiply(xw), xw);
    }

    /// <summary>X W: the node features before propagation.</summary>
    public Tensor Transform(Tensor features) => _weight.forward(features);

    /// <summary>The layer's output from a propagated Â (X W) and the nodes' own X W (read only with the residual).</summary>
    public Tensor Activate(Tensor propagated, Tensor own)
    {
        var h = propagated.Plus(_bias).leaky_relu(KeptScalars.Of(0.01)); // LeakyReLU's default slope
        return _residual ? h.Plus(own) : h;
    }
}
