using CrossDomain.Trainer.Torch;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.SemaCdr;

/// <summary>
/// InfoNCE of Eq. 3: for each item i, −log softmax_i'(sim(q_i, k_i') / τ) at i' = i, cosine similarity, averaged
/// over the items given (the paper sums; the mean keeps λ independent of the batch size).
/// </summary>
public static class InfoNce
{
    public static Tensor Loss(Tensor queries, Tensor keys, double temperature)
    {
        var q = nn.functional.normalize(queries, dim: -1);
        var k = nn.functional.normalize(keys, dim: -1);
        var logits = CheckedMatmul.Product(q, k.t()).Over(temperature);
        var labels = KeptScalars.Arange(0, q.shape[0], q.device);
        return nn.functional.cross_entropy(logits, labels);
    }
}
