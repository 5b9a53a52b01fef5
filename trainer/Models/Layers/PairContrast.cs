using CrossDomain.Trainer.Torch;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.Layers;

/// <summary>
/// The contrastive loss between two views of the same n rows (SimCLR's NT-Xent; RecBole's <c>info_nce</c>, Tri-CDR's
/// <c>NTXentLoss</c>): each of the 2n vectors is scored against the other 2n − 1, its positive being the same row's
/// other view, −log(exp(s⁺/τ) / Σ_{j≠i} exp(s_ij/τ)), averaged over the 2n. Computed with log-sum-exp.
/// </summary>
public static class PairContrast
{
    /// <param name="a">[n, d]: the first view.</param>
    /// <param name="b">[n, d]: the second view, row for row.</param>
    /// <param name="cosine">Cosine similarities (the vectors normalised first), or dot products.</param>
    public static Tensor Loss(Tensor a, Tensor b, double temperature, bool cosine)
    {
        var n = (int)a.shape[0];
        if (cosine) (a, b) = (functional.normalize(a, p: 2, dim: 1), functional.normalize(b, p: 2, dim: 1));
        var both = cat([a, b], 0);
        var logits = CheckedMatmul.Product(both, both.t()).Over(temperature);
        // A finite fill for the diagonal (a vector against itself): exp of it is 0 in float32.
        logits = logits.masked_fill(eye(2 * n, dtype: ScalarType.Bool, device: a.device), KeptScalars.Of(-1e9));
        var positive = (a * b).sum(-1).Over(temperature);
        return (logits.logsumexp(1) - cat([positive, positive], 0)).mean();
    }
}
