namespace CrossDomain.Trainer.Models.TriCdr;

/// <summary>
/// Tri-CDR's switches (<c>model_params</c>), from hulkima/Tri-CDR's Tri_CDR.py arguments. The shared keys it sets
/// otherwise than the shared setup (batch 120, dropout 0.2, Adam 1e-3 with β₂ 0.98) are in tricdr.yaml.
/// </summary>
public sealed record TriCdrOptions : IModelOptions
{
    /// <summary><c>temperature</c>: the factor on the cosine scores (--temperature 5; a multiplier, not a divisor).</summary>
    public double Temperature { get; init; } = 5;
    /// <summary><c>contrastive_temperature</c>: τ of the NT-Xent losses between the three branches (--info_NCE_temperature 0.1).</summary>
    public double ContrastiveTemperature { get; init; } = 0.1;
    /// <summary><c>contrastive_weight</c>: weight of the (rate-weighted) NT-Xent sum (--cl_weight 1).</summary>
    public double ContrastiveWeight { get; init; } = 1;
    /// <summary><c>triplet_weight</c>: weight of the triplet loss (--triplet_weight 1).</summary>
    public double TripletWeight { get; init; } = 1;
    /// <summary><c>triplet_margin</c>: margin of the triplet loss, anchor source, positive mix, negative target (--triplet_margin 1).</summary>
    public double TripletMargin { get; init; } = 1;
    /// <summary><c>rate_mix_source</c>, <c>rate_mix_target</c>, <c>rate_source_target</c>: the NT-Xent pairs' weights, normalised to sum 1 (--rate_* 1).</summary>
    public double RateMixSource { get; init; } = 1;
    public double RateMixTarget { get; init; } = 1;
    public double RateSourceTarget { get; init; } = 1;
    /// <summary><c>lr_decay</c>: the learning rate's factor per epoch (ExponentialLR, --lr_decay_rate 0.99); 1: constant.</summary>
    public double LrDecay { get; init; } = 0.99;
    /// <summary>
    /// <c>pretrain_epochs</c>: epochs that first train the three encoders as SASRec, each on its own sequences, before
    /// the Tri-CDR objective (the reference loads SASRec checkpoints into them on its Toy-Game data and trains from
    /// scratch elsewhere; 0, the default, is the latter).
    /// </summary>
    public int PretrainEpochs { get; init; }

    /// <summary><c>semantic_views</c>: SemaCDR's item semantics (<see cref="SemaCdr.MultiViewItems"/>) on every item of the three tables, "Enhanced Tri-CDR" of SemaCDR's Table 2.</summary>
    public bool SemanticViews { get; init; }
    /// <summary><c>semantic_weight</c>: λ of the view-contrastive term (SemaCDR's Appendix C for Tri-CDR: 1).</summary>
    public double SemanticWeight { get; init; } = 1;
    /// <summary><c>semantic_temperature</c>: τ of its InfoNCE (Appendix C: 0.2).</summary>
    public double SemanticTemperature { get; init; } = 0.2;

    public SemaCdr.SemanticViewSettings Semantics => new(SemanticViews, SemanticWeight, SemanticTemperature);

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (SemanticWeight < 0) yield return ("semantic_weight", "must be >= 0");
        if (SemanticTemperature <= 0) yield return ("semantic_temperature", "must be > 0");
        if (Temperature <= 0) yield return ("temperature", "must be > 0");
        if (PretrainEpochs < 0) yield return ("pretrain_epochs", "must be >= 0");
        if (ContrastiveTemperature <= 0) yield return ("contrastive_temperature", "must be > 0");
        if (RateMixSource < 0 || RateMixTarget < 0 || RateSourceTarget < 0 || RateMixSource + RateMixTarget + RateSourceTarget <= 0)
            yield return ("rate_mix_source", "the three rates must be >= 0 with a positive sum");
        if (LrDecay <= 0 || LrDecay > 1) yield return ("lr_decay", "must be in (0, 1]");
    }
}
