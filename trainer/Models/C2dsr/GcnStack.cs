using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.C2dsr;

/// <summary>
/// GCNLayer of C2DSR's GNN.py: per layer, dropout, then Â h + b (its GraphConvolution keeps a weight it never
/// uses); the output is the mean of the input and every layer's output.
/// </summary>
public sealed class GcnStack : Module<SparseAdjacency, Tensor, Tensor>
{
    private readonly ParameterList _biases = new();
    private readonly Dropout _dropout;

    public GcnStack(int hidden, int layers, double dropout) : base(nameof(GcnStack))
    {
        var bound = 1 / Math.Sqrt(hidden);
        for (int k = 0; k < layers; k++) _biases.Add(new Parameter(empty(hidden).uniform_(-bound, bound)));
        _dropout = Dropout(dropout);
        RegisterComponents();
    }

    public override Tensor forward(SparseAdjacency adjacency, Tensor features)
    {
        Tensor learned = features, total = features;
        foreach (var bias in _biases)
        {
            learned = adjacency.Multiply(_dropout.forward(learned)).Plus(bias);
            total = total.Plus(learned);
        }
        return total.Over(_biases.Count + 1);
    }
}
