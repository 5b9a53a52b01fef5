namespace CrossDomain.Trainer.Models.Abxi;

/// <summary>
/// ABXI's switches (<c>model_params</c>), each with its reference (DiMarzioBian/ABXI, main.py and demo.sh for Food-Kitchen).
/// The shared keys it sets otherwise than the shared setup (hidden 256, 2 heads, 1 block, learning rate 1e-4, weight
/// decay 5 with AdamW, length 47) are in abxi.yaml.
/// </summary>
/// <summary>What the domain branches read when a model scores (training always uses task-guided alignment).</summary>
public enum AbxiScoringInputs
{
    /// <summary>As the published figures ran (trainer.py's evaluate_batch): the A branch reads the whole merged input (its domain filter uses | where &amp; was meant), the B branch its B items in place.</summary>
    Reference,
    /// <summary>What that line meant: each branch its own domain's items in place, zeros elsewhere.</summary>
    InPlace,
    /// <summary>Each branch its domain's items placed as training places them, as if the next target were in that domain.</summary>
    Aligned,
}

public sealed record AbxiOptions : IModelOptions
{
    /// <summary><c>scoring_inputs</c>: reference, in_place or aligned (<see cref="AbxiScoringInputs"/>).</summary>
    public AbxiScoringInputs ScoringInputs { get; init; } = AbxiScoringInputs.Reference;
    /// <summary><c>domain_rank</c>: rank of the domain LoRAs dLoRA_x, dLoRA_A, dLoRA_B (--rd; demo.sh uses 16 on afk).</summary>
    public int DomainRank { get; init; } = 16;
    /// <summary><c>invariant_rank</c>: rank of the invariant LoRAs iLoRA_A, iLoRA_B (--ri; 64 on afk).</summary>
    public int InvariantRank { get; init; } = 64;
    /// <summary><c>temperature</c>: τ of the InfoNCE logits (--temp 0.75).</summary>
    public double Temperature { get; init; } = 0.75;
    /// <summary><c>negatives_per_domain</c>: negatives drawn per position from each domain (--n_neg 128: 256 in all).</summary>
    public int NegativesPerDomain { get; init; } = 128;
    /// <summary><c>warmup_epochs</c>: epochs of linear warm-up from 10⁻⁵ × the learning rate (main.py's n_warmup 1, LinearLR start_factor 1e-5); 0: none.</summary>
    public int WarmupEpochs { get; init; } = 1;
    /// <summary><c>plateau_patience</c>: validations without a better one after which the rate is multiplied by <c>plateau_factor</c> (ReduceLROnPlateau, --lr_p 30); 0: never.</summary>
    public int PlateauPatience { get; init; } = 30;
    /// <summary><c>plateau_factor</c>: the rate's factor on a plateau (--lr_g 0.3162).</summary>
    public double PlateauFactor { get; init; } = 0.3162;
    /// <summary><c>feed_forward</c>: inner width of the SwiGLU feed-forward networks (encoders.py's d_ffn 680).</summary>
    public int FeedForward { get; init; } = 680;
}
