using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Features;

/// <summary>What to do with an item of the item index that lacks semantics, tags or an embedding.</summary>
public enum MissingFeaturePolicy
{
    /// <summary>Fail, naming the first such items.</summary>
    Fail,
    /// <summary>Empty labels and tags, a zero vector, the item's mask false, and a count in the manifest.</summary>
    Zero,
}

public sealed class FeaturesParams
{
    [Param("fail or zero (empty labels/tags, zero vector, mask false, counted) for an item without semantics, tags or embedding.")]
    public MissingFeaturePolicy Missing { get; set; } = MissingFeaturePolicy.Zero;
}
