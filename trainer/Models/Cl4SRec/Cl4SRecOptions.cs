namespace CrossDomain.Trainer.Models.Cl4SRec;

/// <summary>
/// CL4SRec's switches (<c>model_params</c>): the contrastive term's weight and temperature, and the three augmentation
/// ratios, from RecBole's CL4SRec (model and its <c>RandomAugmentationSequence</c> transform) where the paper leaves a
/// value to tuning. Its encoder is SASRec with the shared settings (SemaCDR's setup: d 64, dropout 0.5, length 100).
/// </summary>
public sealed record Cl4SRecOptions : IModelOptions
{
    /// <summary><c>contrastive_weight</c>: λ of L = L_rec + λ L_cl (0.1, the paper's; RecBole ships 0.01).</summary>
    public double ContrastiveWeight { get; init; } = 0.1;
    /// <summary><c>temperature</c>: τ of the InfoNCE logits (1, the paper's; RecBole ships 5).</summary>
    public double Temperature { get; init; } = 1;
    /// <summary><c>similarity</c>: dot (RecBole's CL4SRec) or cosine.</summary>
    public ContrastSimilarity Similarity { get; init; } = ContrastSimilarity.Dot;
    /// <summary><c>crop_ratio</c>: η, the share of a sequence a crop keeps (0.6).</summary>
    public double CropRatio { get; init; } = 0.6;
    /// <summary><c>mask_ratio</c>: γ, the share of items a mask replaces by the mask token (0.3).</summary>
    public double MaskRatio { get; init; } = 0.3;
    /// <summary><c>reorder_ratio</c>: β, the share of a sequence a reorder shuffles (0.6).</summary>
    public double ReorderRatio { get; init; } = 0.6;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (ContrastiveWeight < 0) yield return ("contrastive_weight", "must be >= 0");
        if (Temperature <= 0) yield return ("temperature", "must be > 0");
        if (CropRatio is <= 0 or > 1) yield return ("crop_ratio", "must be in (0, 1]");
        if (MaskRatio is < 0 or > 1) yield return ("mask_ratio", "must be in [0, 1]");
        if (ReorderRatio is < 0 or > 1) yield return ("reorder_ratio", "must be in [0, 1]");
    }
}

/// <summary>How two views' representations are compared.</summary>
public enum ContrastSimilarity
{
    Dot,
    Cosine,
}
