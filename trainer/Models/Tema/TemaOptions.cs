namespace CrossDomain.Trainer.Models.Tema;

/// <summary>How an item's tags become its tag vector w_v (the paper's Table V).</summary>
public enum TagEncoding
{
    /// <summary>w_i as the extraction stage gave them (relevance scores normalised to sum 1): the paper's method.</summary>
    Weighted,
    /// <summary>Every tag of the item weighs 1/n.</summary>
    MultiHot,
    /// <summary>Only the most relevant tag, weight 1.</summary>
    OneHot,
}

/// <summary>
/// What λ₁ P^Y contributes to a target item's score at inference (Eq. 16; issue 25). Training teaches the source
/// sequence to rank source items only (L^Y, Eq. 14).
/// </summary>
public enum SourceScores
{
    /// <summary>The source sequence's state ranks the target items with a softmax over them, like P^X (shipped before issue 25).</summary>
    TargetItems,
    /// <summary>Literal: P^Y is a distribution over Y's items, so it gives every x ∈ X probability 0 and adds nothing.</summary>
    None,
}

/// <summary>
/// TEMA-LLM's switches, read from <c>model_params</c>. <c>ablation</c> names a row of the paper's Tables IV–V and
/// sets the switches it implies; single switches may also be set directly. Table VI (top-R, threshold, hybrid tag
/// selection) and Table IV's static keyword tags are choices of the extraction stage, not of the model: the
/// pipeline runs them as extract variants (pipelines/food-kitchen.yaml).
/// </summary>
public sealed record TemaOptions : IModelOptions, IAblationPresets
{
    /// <summary>The tag view e_tag = Σ w_i E_tag[i] (Eq. 3).</summary>
    public bool Tags { get; init; } = true;
    /// <summary>The frozen title embedding (the paper's CLIP text view).</summary>
    public bool Text { get; init; } = true;
    /// <summary>The frozen image embedding: null uses it when the features carry one (image_embedding), true requires it.</summary>
    public bool? Image { get; init; }
    /// <summary>One encoder per (sequence, view) pair (§III-F); off: one encoder per sequence over the fused item embedding of Eq. 9.</summary>
    public bool MultiAttention { get; init; } = true;
    public TagEncoding TagEncoding { get; init; } = TagEncoding.Weighted;
    /// <summary>α₁ (ID), α₂ (image), α₃ (text); the tag view gets 1 − α₁ − α₂ − α₃. Renormalised over the views present.</summary>
    public double IdWeight { get; init; } = 0.4;
    public double ImageWeight { get; init; } = 0.2;
    public double TextWeight { get; init; } = 0.2;
    /// <summary>λ₁ (the source sequence's loss and score) and λ₂ (the mixed sequence's), Eqs. 15–16.</summary>
    public double SourceWeight { get; init; } = 0.3;
    public double MixedWeight { get; init; } = 0.1;
    public SourceScores SourceScores { get; init; } = SourceScores.TargetItems;
    /// <summary>Softmax temperature over cosine similarities (the paper gives none; cosines alone span only [-1, 1]).</summary>
    public double Temperature { get; init; } = 0.1;

    /// <summary>What this configuration lacks against the full model, for its displayed name; null for the full model.</summary>
    public string? Variant(string? ablation)
    {
        if (string.Equals(ablation, "original", StringComparison.OrdinalIgnoreCase) && !Tags && !MultiAttention && Text) return "original";
        var parts = new List<string>();
        if (!Tags && !Text) parts.Add(Image == true ? "ID and image views only" : "ID view only");
        else
        {
            if (!Tags) parts.Add("w/o Tag");
            if (!Text) parts.Add("w/o Text");
        }
        if (Image == false) parts.Add("w/o Image");
        if (!MultiAttention) parts.Add("w/o MultiAttn");
        if (Tags && TagEncoding != TagEncoding.Weighted) parts.Add(TagEncoding == TagEncoding.OneHot ? "one-hot" : "multi-hot");
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    public static readonly string[] AblationNames = ["full", "original", "w/o Tag", "w/o MultiAttn", "one-hot", "multi-hot"];

    IReadOnlyList<string> IAblationPresets.Ablations => AblationNames;

    /// <summary>The switches each row of Tables IV–V implies; single switches set beside <c>ablation</c> override them.</summary>
    public object? WithAblation(string name) => name.ToLowerInvariant() switch
    {
        "full" => this,
        // Table IV, first row: the sequential backbone over ID and text, no tags, no multi-attention.
        "original" => this with { Tags = false, MultiAttention = false },
        "w/o tag" => this with { Tags = false },
        "w/o multiattn" => this with { MultiAttention = false },
        "one-hot" => this with { TagEncoding = TagEncoding.OneHot },
        "multi-hot" => this with { TagEncoding = TagEncoding.MultiHot },
        _ => null,
    };

    public IEnumerable<(string Key, string Message)> Validate()
    {
        foreach (var (key, value) in new[] { ("id_weight", IdWeight), ("image_weight", ImageWeight), ("text_weight", TextWeight), ("source_weight", SourceWeight), ("mixed_weight", MixedWeight) })
            if (value < 0) yield return (key, "must be ≥ 0");
        if (IdWeight + ImageWeight + TextWeight > 1 + 1e-9)
            yield return ("", "id_weight + image_weight + text_weight must be ≤ 1 (the tag view gets the remainder)");
        if (Temperature <= 0) yield return ("temperature", "must be > 0");
    }
}
