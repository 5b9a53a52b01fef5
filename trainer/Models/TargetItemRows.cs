using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models;

/// <summary>
/// Where an item table holds the target domain's items only (as a single-domain reference trained on the target data
/// has it): global item index → its row, 1.. in ascending global order; 0 (the padding row) for padding and source items.
/// </summary>
public sealed class TargetItemRows
{
    private readonly long[] _row;

    public TargetItemRows(IReadOnlyList<int> targetItems, int itemCount)
    {
        _row = new long[itemCount + 1];
        for (int i = 0; i < targetItems.Count; i++) _row[targetItems[i]] = i + 1;
        Count = targetItems.Count;
    }

    /// <summary>Target items in the table (rows 1..Count).</summary>
    public int Count { get; }

    /// <summary>The rows of global ids, same shape.</summary>
    public Tensor Of(Tensor globalIds) => tensor(_row, device: globalIds.device).index_select(0, globalIds.flatten()).view(globalIds.shape);

    /// <summary>Every global index's row, [item count + 1].</summary>
    public Tensor All(Device device) => tensor(_row, device: device);
}
