namespace CrossDomain.Stages.Sequences;

/// <summary>
/// One user of the <c>sequences</c> artifact. Item indices are those of <c>item_index</c> (1-based, 0 is
/// padding). Sequences are chronological and hold the most recent <c>max_len</c> interactions. The target
/// sequence ends with the validation item then the test item (leave-one-out); training uses what precedes them.
/// </summary>
public sealed class SequenceRow
{
    public int UserIdx { get; set; }
    public string User { get; set; } = "";
    public int[] SourceItems { get; set; } = [];
    public long[] SourceTimestamps { get; set; } = [];
    public int[] TargetItems { get; set; } = [];
    public long[] TargetTimestamps { get; set; } = [];
    public int[] MixedItems { get; set; } = [];
    public long[] MixedTimestamps { get; set; } = [];
    /// <summary>0 for a source-domain interaction, 1 for target.</summary>
    public int[] MixedDomains { get; set; } = [];
    public int ValidItem { get; set; }
    public long ValidTimestamp { get; set; }
    public int TestItem { get; set; }
    public long TestTimestamp { get; set; }
}

/// <summary>Row of <c>item_index</c>: stable dense index of each kept item.</summary>
public sealed class ItemIndexRow
{
    public int ItemIdx { get; set; }
    public string Item { get; set; } = "";
    public string Domain { get; set; } = "";
    /// <summary>"source" or "target" in this direction.</summary>
    public string Role { get; set; } = "";
}

/// <summary>Row of <c>user_index</c>.</summary>
public sealed class UserIndexRow
{
    public int UserIdx { get; set; }
    public string User { get; set; } = "";
}
