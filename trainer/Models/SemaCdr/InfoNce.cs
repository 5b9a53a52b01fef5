using CrossDomain.Trainer.Torch;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.SemaCdr;

/// <summary>What InfoNCE does with another item whose key is identical to an item's own (the same label set).</summary>
public enum DuplicateKeys
{
    /// <summary>They are negatives of each other, as Eq. 3 literally has it (every other item in the batch).</summary>
    Negatives,
    /// <summary>They are left out of each other's denominators: neither a positive nor a negative.</summary>
    Masked,
    /// <summary>They count as positives (the supervised-contrastive form: −log Σ over the identical keys).</summary>
    Positives,
}

/// <summary>
/// InfoNCE of Eq. 3: for each item i, −log softmax_i'(sim(q_i, k_i') / τ) at i' = i, cosine similarity, averaged
/// over the items given (the paper sums; the mean keeps λ independent of the batch size).
/// <para>Many items share a label set (with the offline extractor about a fifth of Kitchen's items carry the
/// all-default one) and so share their key e^agn exactly. Read literally, Eq. 3 makes such items negatives of each
/// other and pushes their queries apart from a key identical to their own; <see cref="DuplicateKeys"/> chooses.</para>
/// </summary>
public static class InfoNce
{
    /// <param name="groups">Per row, the id of its key (rows with equal ids have identical keys); null: every key distinct.</param>
    public static Tensor Loss(Tensor queries, Tensor keys, double temperature, long[]? groups = null, DuplicateKeys duplicates = DuplicateKeys.Negatives)
    {
        var q = nn.functional.normalize(queries, dim: -1);
        var k = nn.functional.normalize(keys, dim: -1);
        var logits = CheckedMatmul.Product(q, k.t()).Over(temperature);
        var labels = KeptScalars.Arange(0, q.shape[0], q.device);
        if (groups is null || duplicates == DuplicateKeys.Negatives) return nn.functional.cross_entropy(logits, labels);
        var g = tensor(groups, device: q.device);
        var same = g.unsqueeze(1).eq(g.unsqueeze(0));                      // [n, n], the diagonal included
        if (duplicates == DuplicateKeys.Masked)
        {
            var others = same.logical_and(eye(q.shape[0], dtype: ScalarType.Bool, device: q.device).logical_not());
            return nn.functional.cross_entropy(logits.masked_fill(others, double.NegativeInfinity), labels);
        }
        // −log (Σ_{j ≡ i} e^{s_ij} / Σ_j e^{s_ij}), averaged over i.
        var positives = logits.masked_fill(same.logical_not(), double.NegativeInfinity).logsumexp(1);
        return (logits.logsumexp(1) - positives).mean();
    }
}
