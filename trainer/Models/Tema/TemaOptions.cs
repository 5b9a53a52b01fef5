using System.Globalization;
using CrossDomain.Trainer.Training;

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
/// TEMA-LLM's switches, read from <c>model_params</c>. <c>ablation</c> names a row of the paper's Tables IV–V and
/// sets the switches it implies; single switches may also be set directly. Table VI (top-R, threshold, hybrid tag
/// selection) and Table IV's static keyword tags are choices of the extraction stage, not of the model: the
/// pipeline runs them as extract variants (pipelines/food-kitchen.yaml).
/// </summary>
public sealed record TemaOptions
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
    /// <summary>Softmax temperature over cosine similarities (the paper gives none; cosines alone span only [-1, 1]).</summary>
    public double Temperature { get; init; } = 0.1;

    public static readonly string[] Ablations = ["full", "original", "w/o Tag", "w/o MultiAttn", "one-hot", "multi-hot"];

    public static TemaOptions From(TrainingConfig config)
    {
        var p = config.ModelParams;
        var known = new[] { "ablation", "tags", "text", "image", "multi_attention", "tag_encoding", "id_weight", "image_weight", "text_weight", "source_weight", "mixed_weight", "temperature" };
        foreach (var key in p.Keys)
            if (!known.Contains(key)) throw new ArgumentException($"model_params.{key}: unknown TEMA-LLM setting; known: {string.Join(", ", known)}");
        var o = new TemaOptions();
        var ablation = p.GetValueOrDefault("ablation", "full");
        o = ablation.ToLowerInvariant() switch
        {
            "full" => o,
            // Table IV, first row: the sequential backbone over ID and text, no tags, no multi-attention.
            "original" => o with { Tags = false, MultiAttention = false },
            "w/o tag" => o with { Tags = false },
            "w/o multiattn" => o with { MultiAttention = false },
            "one-hot" => o with { TagEncoding = TagEncoding.OneHot },
            "multi-hot" => o with { TagEncoding = TagEncoding.MultiHot },
            _ => throw new ArgumentException($"model_params.ablation: unknown '{ablation}'; one of {string.Join(", ", Ablations)}"),
        };
        bool Bool(string key, bool current) => !p.TryGetValue(key, out var v) ? current
            : bool.TryParse(v, out var b) ? b : throw new ArgumentException($"model_params.{key}: '{v}' is not true or false");
        double Number(string key, double current) => !p.TryGetValue(key, out var v) ? current
            : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new ArgumentException($"model_params.{key}: '{v}' is not a number");
        TagEncoding Encoding(string key, TagEncoding current) => !p.TryGetValue(key, out var v) ? current
            : v.Replace("_", "").Replace("-", "").ToLowerInvariant() switch
            {
                "weighted" => TagEncoding.Weighted,
                "multihot" => TagEncoding.MultiHot,
                "onehot" => TagEncoding.OneHot,
                _ => throw new ArgumentException($"model_params.{key}: '{v}' is not one of weighted, multi_hot, one_hot"),
            };
        o = o with
        {
            Tags = Bool("tags", o.Tags),
            Text = Bool("text", o.Text),
            Image = !p.TryGetValue("image", out var image) || image == "auto" ? o.Image
                : bool.TryParse(image, out var b) ? b : throw new ArgumentException($"model_params.image: '{image}' is not auto, true or false"),
            MultiAttention = Bool("multi_attention", o.MultiAttention),
            TagEncoding = Encoding("tag_encoding", o.TagEncoding),
            IdWeight = Number("id_weight", o.IdWeight),
            ImageWeight = Number("image_weight", o.ImageWeight),
            TextWeight = Number("text_weight", o.TextWeight),
            SourceWeight = Number("source_weight", o.SourceWeight),
            MixedWeight = Number("mixed_weight", o.MixedWeight),
            Temperature = Number("temperature", o.Temperature),
        };
        foreach (var (key, value) in new[] { ("id_weight", o.IdWeight), ("image_weight", o.ImageWeight), ("text_weight", o.TextWeight), ("source_weight", o.SourceWeight), ("mixed_weight", o.MixedWeight) })
            if (value < 0) throw new ArgumentException($"model_params.{key}: must be ≥ 0");
        if (o.IdWeight + o.ImageWeight + o.TextWeight > 1 + 1e-9)
            throw new ArgumentException("model_params: id_weight + image_weight + text_weight must be ≤ 1 (the tag view gets the remainder)");
        if (o.Temperature <= 0) throw new ArgumentException("model_params.temperature: must be > 0");
        return o;
    }
}
