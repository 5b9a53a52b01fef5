using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Export;

/// <summary>Which of a user's stored sequences an export writes.</summary>
public enum ExportedSequence
{
    /// <summary>The target-domain sequence, validation and test items last (what a single-domain reference trains on).</summary>
    Target,
    Source,
    /// <summary>Both domains merged in time order, as the sequences stage stores it.</summary>
    Mixed,
}

public sealed class ExportParams
{
    [Param("target (default), source or mixed: the sequence written for each user.")]
    public ExportedSequence Sequence { get; set; } = ExportedSequence.Target;
}
