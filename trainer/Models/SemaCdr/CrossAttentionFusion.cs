using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.SemaCdr;

/// <summary>How Eq. 10's cross-attention z^fuse = CrossAttn(Q = z^T, K = z^S, V = z^S) is built.</summary>
public enum CrossAttentionForm
{
    /// <summary>A whole Transformer block (the shipped form): pre-norm attention, feed-forward, dropout on the main path.</summary>
    Block,
    /// <summary>One multi-head attention added to its query: z^T + CrossAttn(z^T, z^S, z^S).</summary>
    Residual,
    /// <summary>Eq. 10 as printed: the attention's output alone (a target position with no earlier source item gets only the output bias).</summary>
    Literal,
}

/// <summary>Eq. 10 in the <see cref="CrossAttentionForm.Residual"/> or <see cref="CrossAttentionForm.Literal"/> form.</summary>
public sealed class CrossAttentionFusion : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly MultiHeadAttention _attention;
    private readonly bool _residual;

    public CrossAttentionFusion(int hidden, int heads, double dropout, bool residual) : base(nameof(CrossAttentionFusion))
    {
        _attention = new MultiHeadAttention(hidden, heads, dropout);
        _residual = residual;
        RegisterComponents();
    }

    /// <param name="forbidden">True where a target position may not attend to a source position.</param>
    public override Tensor forward(Tensor target, Tensor source, Tensor forbidden)
    {
        var attended = _attention.forward(target, source, forbidden);
        return _residual ? target.Plus(attended) : attended;
    }
}
