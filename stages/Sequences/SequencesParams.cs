using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Sequences;

/// <summary>What to do with a user's repeated interactions with the same item in one domain.</summary>
public enum RepeatPolicy
{
    /// <summary>Keep every interaction.</summary>
    KeepAll,
    /// <summary>Keep the earliest (SemaCDR's "removing duplicates"; the default).</summary>
    KeepFirst,
    /// <summary>Keep the latest.</summary>
    KeepLast,
}

/// <summary>The papers do not say whether the filters run once or until nothing changes: both are offered.</summary>
public enum FilterMode
{
    /// <summary>Repeat item, user and overlap filters until a pass removes nothing (every survivor meets every threshold).</summary>
    FixedPoint,
    /// <summary>One pass in the order item, user, overlap (a user may end under the item threshold's effect).</summary>
    Once,
}

/// <summary>
/// Order of a source and a target interaction with equal timestamps. The 2014 data has day resolution, so their true
/// order is unknowable; the papers do not say.
/// </summary>
public enum TieOrder
{
    /// <summary>The source interaction first: it is in the input of a same-day target item (the shipped default, which every published result used).</summary>
    SourceFirst,
    /// <summary>The target interaction first: no input holds a source interaction from the day of the item it predicts.</summary>
    TargetFirst,
}

/// <summary>Which interactions a user's sequences hold out for validation and test.</summary>
public enum EvaluationProtocol
{
    /// <summary>SemaCDR's: the last two target-domain interactions (leave-one-out on the target domain).</summary>
    TargetLoo,
    /// <summary>C2DSR's and ABXI's: the last two interactions of the merged sequence, each scored in its own domain.</summary>
    MixedLoo,
}

public sealed class SequencesParams : IValidatableParams
{
    // Written into the fingerprint only when it is not the default: stages that existed before the key keep theirs.
    [Param("target_loo (SemaCDR: hold out the last two target interactions) or mixed_loo (C2DSR, ABXI: hold out the last two of the merged sequence, each case scored in its ground truth's domain; docs/protocols.md).")]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public EvaluationProtocol Protocol { get; set; } = EvaluationProtocol.TargetLoo;

    [Param("Source domain name (as in ingest's domains).")]
    public string Source { get; set; } = "";

    [Param("Target domain name: leave-one-out happens here.")]
    public string Target { get; set; } = "";

    [Param("Keep items with at least this many interactions (counted in their domain).", Min = 1)]
    public int MinItemInteractions { get; set; } = 10;

    [Param("Keep a user's domain sequence only with at least this many interactions (the target needs at least 3 for leave-one-out).", Min = 1)]
    public int MinUserInteractions { get; set; } = 3;

    [Param("Keep only users with interactions in both domains.")]
    public bool OverlappingUsersOnly { get; set; } = true;

    [Param("keep_all, keep_first or keep_last for repeated (user, item) pairs within a domain.")]
    public RepeatPolicy Repeats { get; set; } = RepeatPolicy.KeepFirst;

    [Param("fixed_point or once.")]
    public FilterMode Filter { get; set; } = FilterMode.FixedPoint;

    [Param("source_first or target_first: which comes first when a source and a target interaction share a timestamp. target_first keeps a same-day source interaction out of the target item's inputs.")]
    public TieOrder CrossDomainTies { get; set; } = TieOrder.SourceFirst;

    [Param("Most recent interactions kept per stored sequence (source, target, mixed); under mixed_loo the merged sequence is cut first and the domain sequences are its parts (ABXI's len_max 50).", Min = 1)]
    public int MaxLen { get; set; } = 100;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (string.IsNullOrEmpty(Source)) yield return ("source", "name the source domain");
        if (string.IsNullOrEmpty(Target)) yield return ("target", "name the target domain");
        if (Source == Target && Source.Length > 0) yield return ("target", "source and target must differ");
        if (MinItemInteractions < 1) yield return ("min_item_interactions", "must be >= 1");
        if (MinUserInteractions < 1) yield return ("min_user_interactions", "must be >= 1");
        if (MaxLen < 3) yield return ("max_len", "must be >= 3 (train, validation and test items)");
    }
}
