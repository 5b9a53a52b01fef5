using CrossDomain.Trainer.Evaluation;

namespace CrossDomain.Trainer.Data;

/// <summary>
/// What the evaluation protocol decides about the tables: which domain a held-out case belongs to, which items are
/// its candidates, which of the user's items are history there, and which sequence a single-sequence model reads.
/// Under target_loo (SemaCDR) every case is a target-domain item and single-sequence models read the target
/// sequence; under mixed_loo (C2DSR, ABXI) a case is in its ground truth's domain and they read the merged sequence.
/// </summary>
public sealed partial class FeatureTables
{
    public const string TargetLoo = "target_loo";
    public const string MixedLoo = "mixed_loo";

    /// <summary>target_loo or mixed_loo: the manifest's <c>protocol</c> (absent: target_loo).</summary>
    public string Protocol { get; init; } = TargetLoo;

    public bool IsMixedLoo => Protocol == MixedLoo;

    private bool[]? _sourceItem;
    private int[]? _sequenceItems;

    /// <summary>Whether <paramref name="item"/> is a source-domain item.</summary>
    public bool IsSourceItem(int item)
    {
        if (_sourceItem is null)
        {
            var flags = new bool[ItemCount + 1];
            foreach (var i in SourceItems) flags[i] = true;
            _sourceItem = flags;
        }
        return _sourceItem[item];
    }

    /// <summary>The domain of an item: "source" or "target".</summary>
    public string DomainOf(int item) => IsSourceItem(item) ? "source" : "target";

    /// <summary>The items of one domain, ascending.</summary>
    public int[] ItemsOf(string domain) => domain == "source" ? SourceItems : TargetItems;

    /// <summary>Items a single-sequence model predicts among: the target domain's (target_loo) or every item (mixed_loo).</summary>
    public int[] SequenceItems => _sequenceItems ??= IsMixedLoo ? [.. SourceItems.Concat(TargetItems).Order()] : TargetItems;

    /// <summary>The training sequence of a single-sequence model (it ends before the validation item).</summary>
    public int[] SequenceTrain(UserRow u) => IsMixedLoo ? u.MixedTrain : u.TargetTrain;

    /// <summary>The sequence a single-sequence model reads at <paramref name="split"/>: never the item it is asked to predict.</summary>
    public int[] SequenceInput(UserRow u, EvalSplit split) =>
        IsMixedLoo ? (split == EvalSplit.Valid ? u.MixedTrain : u.MixedTestInput) : (split == EvalSplit.Valid ? u.TargetTrain : u.TargetTestInput);

    /// <summary>The held-out item of a split.</summary>
    public static int HeldOut(UserRow u, EvalSplit split) => split == EvalSplit.Valid ? u.ValidItem : u.TestItem;

    /// <summary>
    /// Every item of the user in <paramref name="domain"/>, over the whole stored sequence (training, validation and
    /// test): what neither the sampled negatives nor the full ranking's candidates may contain.
    /// </summary>
    public HashSet<int> DomainHistory(UserRow u, string domain)
    {
        HashSet<int> history = [.. domain == "source" ? u.SourceTestInput : u.TargetTestInput];
        if (DomainOf(u.TestItem) == domain) history.Add(u.TestItem);
        return history;
    }
}
