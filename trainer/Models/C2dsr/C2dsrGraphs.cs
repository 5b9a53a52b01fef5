using CrossDomain.Trainer.Models.Layers;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.C2dsr;

/// <summary>
/// C2DSR's item graphs (GraphMaker.py) from the training sequences only: the cross-domain graph links each item of
/// a merged sequence to the next one, the single-domain graph each item to the next item of its own domain; edges
/// directed and counted (GraphMaker's duplicate check never fires: its sets are never filled), each row then
/// normalised to sum 1.
/// </summary>
public sealed class C2dsrGraphs
{
    private readonly Dictionary<(int, int), float> _cross = [], _single = [];
    private readonly int _nodes;
    // Per device, built on first use and kept by the model (outside any batch's dispose scope).
    private readonly Dictionary<string, (SparseAdjacency Cross, SparseAdjacency Single)> _byDevice = [];

    public C2dsrGraphs(IEnumerable<int[]> trainSequences, Func<int, bool> isSource, int nodes)
    {
        _nodes = nodes;
        var (cross, single) = (_cross, _single);
        foreach (var s in trainSequences)
        {
            int lastSource = -1, lastTarget = -1;
            for (int k = 0; k < s.Length; k++)
            {
                var item = s[k];
                if (k > 0) Add(cross, (s[k - 1], item));
                ref int last = ref isSource(item) ? ref lastSource : ref lastTarget;
                if (last >= 0) Add(single, (last, item));
                last = item;
            }
        }
    }

    /// <summary>Edges of the cross-domain and the single-domain graph (before normalisation).</summary>
    public int CrossEdges => _cross.Count;
    public int SingleEdges => _single.Count;

    public (SparseAdjacency Cross, SparseAdjacency Single) On(Device device)
    {
        var key = device.ToString();
        if (!_byDevice.TryGetValue(key, out var graphs))
            _byDevice[key] = graphs = (Normalised(_cross, _nodes, device), Normalised(_single, _nodes, device));
        return graphs;
    }

    private static void Add(Dictionary<(int, int), float> edges, (int, int) edge) => edges[edge] = edges.GetValueOrDefault(edge) + 1;

    private static SparseAdjacency Normalised(Dictionary<(int From, int To), float> edges, int nodes, Device device)
    {
        var rowSum = new float[nodes];
        foreach (var ((from, _), w) in edges) rowSum[from] += w;
        var ordered = edges.OrderBy(e => e.Key.From).ThenBy(e => e.Key.To).ToList();
        long[] rows = [.. ordered.Select(e => (long)e.Key.From)], cols = [.. ordered.Select(e => (long)e.Key.To)];
        float[] values = [.. ordered.Select(e => e.Value / rowSum[e.Key.From])];
        return SparseAdjacency.FromEdges(nodes, rows, cols, values, device);
    }
}
