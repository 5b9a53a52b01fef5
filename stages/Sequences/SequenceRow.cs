using System.Text.Json.Serialization;

namespace CrossDomain.Stages.Sequences;

/// <summary>
/// One user of the <c>sequences</c> artifact. Item indices are those of <c>item_index</c> (1-based, 0 is
/// padding). Sequences are chronological and hold the most recent <c>max_len</c> interactions. The target
/// sequence ends with the validation item then the test item (leave-one-out); training uses what precedes them.
/// </summary>
public sealed class SequenceRow
{
    [JsonPropertyName("user_idx")]
    public int UserIdx { get; set; }
    [JsonPropertyName("user")]
    public string User { get; set; } = "";
    [JsonPropertyName("source_items")]
    public int[] SourceItems { get; set; } = [];
    [JsonPropertyName("source_timestamps")]
    public long[] SourceTimestamps { get; set; } = [];
    [JsonPropertyName("target_items")]
    public int[] TargetItems { get; set; } = [];
    [JsonPropertyName("target_timestamps")]
    public long[] TargetTimestamps { get; set; } = [];
    [JsonPropertyName("mixed_items")]
    public int[] MixedItems { get; set; } = [];
    [JsonPropertyName("mixed_timestamps")]
    public long[] MixedTimestamps { get; set; } = [];
    /// <summary>0 for a source-domain interaction, 1 for target.</summary>
    [JsonPropertyName("mixed_domains")]
    public int[] MixedDomains { get; set; } = [];
    [JsonPropertyName("valid_item")]
    public int ValidItem { get; set; }
    [JsonPropertyName("valid_timestamp")]
    public long ValidTimestamp { get; set; }
    [JsonPropertyName("test_item")]
    public int TestItem { get; set; }
    [JsonPropertyName("test_timestamp")]
    public long TestTimestamp { get; set; }

    /// <summary>The source and the target part of the mixed sequence's first <paramref name="length"/> interactions, with their timestamps.</summary>
    public (int[] Source, long[] SourceTimestamps, int[] Target, long[] TargetTimestamps) DomainParts(int length)
    {
        List<int> source = [], target = [];
        List<long> sourceTimes = [], targetTimes = [];
        for (int k = 0; k < length; k++)
        {
            (MixedDomains[k] == 0 ? source : target).Add(MixedItems[k]);
            (MixedDomains[k] == 0 ? sourceTimes : targetTimes).Add(MixedTimestamps[k]);
        }
        return ([.. source], [.. sourceTimes], [.. target], [.. targetTimes]);
    }
}

/// <summary>Row of <c>item_index</c>: stable dense index of each kept item.</summary>
public sealed class ItemIndexRow
{
    [JsonPropertyName("item_idx")]
    public int ItemIdx { get; set; }
    [JsonPropertyName("item")]
    public string Item { get; set; } = "";
    [JsonPropertyName("domain")]
    public string Domain { get; set; } = "";
    /// <summary>"source" or "target" in this direction.</summary>
    [JsonPropertyName("role")]
    public string Role { get; set; } = "";
}

/// <summary>Row of <c>user_index</c>.</summary>
public sealed class UserIndexRow
{
    [JsonPropertyName("user_idx")]
    public int UserIdx { get; set; }
    [JsonPropertyName("user")]
    public string User { get; set; } = "";
}
