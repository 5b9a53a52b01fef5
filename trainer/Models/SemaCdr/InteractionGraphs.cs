using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Models.Layers;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.SemaCdr;

/// <summary>
/// SemaCDR's three graphs (§2.3.4), from training interactions only (each user's <c>*_train</c> histories, which end
/// before the validation interaction: no validation or test interaction is ever an edge), as symmetric normalised
/// adjacencies Â = D^-1/2 (A + I) D^-1/2 in edge lists (<see cref="SparseAdjacency"/>):
/// <list type="bullet">
/// <item>G^S, G^T: item–item graphs of one domain. <see cref="ItemGraph.CoInteraction"/> (the paper): an edge between
/// two items some user interacted with; <see cref="ItemGraph.Transition"/>: items that follow each other in some
/// user's sequence (also what the SimpGraph ablation uses); <see cref="ItemGraph.TopK"/>: each item's k most
/// co-interacted neighbours (an edge kept when either end ranks the other in its top k). Each edge carries its
/// count (users who co-interacted, or times the transition occurred); <see cref="EdgeWeight.Count"/> uses it as
/// A's entry, <see cref="EdgeWeight.Binary"/> (the paper) uses 1.</item>
/// <item>G^mix: the bipartite user–item graph over both domains (Full); none for Simple.</item>
/// </list>
/// Node ids: items by their index 0..N (0 is padding); in G^mix, users follow at N + 1 + user_idx. Every node keeps
/// its self-loop, so nodes outside a graph's domain pass through unchanged.
/// </summary>
public sealed class InteractionGraphs
{
    public required int Items { get; init; }
    public required int Users { get; init; }
    /// <summary>Edges (a &lt; b) of G^S with their counts.</summary>
    public required Dictionary<(int, int), int> SourceCounts { get; init; }
    public required Dictionary<(int, int), int> TargetCounts { get; init; }
    /// <summary>(item, user) pairs of G^mix; empty for the simple graphs.</summary>
    public required HashSet<(int Item, int User)> UserItemEdges { get; init; }

    public HashSet<(int, int)> SourceEdges => [.. SourceCounts.Keys];
    public HashSet<(int, int)> TargetEdges => [.. TargetCounts.Keys];

    public static InteractionGraphs Build(FeatureTables tables, GraphKind kind, ItemGraph itemGraph = ItemGraph.CoInteraction, int topK = 20)
    {
        if (kind == GraphKind.Simple) itemGraph = ItemGraph.Transition;
        var source = new Dictionary<(int, int), int>();
        var target = new Dictionary<(int, int), int>();
        var userItem = new HashSet<(int, int)>();
        foreach (var u in tables.Users)
        {
            AddItemEdges(u.SourceTrain, source, itemGraph);
            AddItemEdges(u.TargetTrain, target, itemGraph);
            if (kind == GraphKind.Full)
                foreach (var i in u.SourceTrain.Concat(u.TargetTrain)) userItem.Add((i, u.UserIdx));
        }
        if (itemGraph == ItemGraph.TopK) (source, target) = (TopNeighbours(source, topK), TopNeighbours(target, topK));
        return new InteractionGraphs
        {
            Items = tables.ItemCount, Users = tables.Users.Count == 0 ? 0 : tables.Users.Max(u => u.UserIdx) + 1,
            SourceCounts = source, TargetCounts = target, UserItemEdges = userItem,
        };
    }

    private static void AddItemEdges(int[] sequence, Dictionary<(int, int), int> counts, ItemGraph itemGraph)
    {
        if (itemGraph == ItemGraph.Transition)
        {
            for (int k = 1; k < sequence.Length; k++)
                if (sequence[k] != sequence[k - 1]) Add(Ordered(sequence[k - 1], sequence[k]));
            return;
        }
        var distinct = sequence.Distinct().ToArray();
        for (int a = 0; a < distinct.Length; a++)
            for (int b = a + 1; b < distinct.Length; b++) Add(Ordered(distinct[a], distinct[b]));

        void Add((int, int) edge) => counts[edge] = counts.GetValueOrDefault(edge) + 1;
    }

    /// <summary>Keeps an edge when either end has the other among its k highest-count neighbours (ties: lower item id first).</summary>
    private static Dictionary<(int, int), int> TopNeighbours(Dictionary<(int, int), int> counts, int k)
    {
        var neighbours = new Dictionary<int, List<(int Other, int Count)>>();
        foreach (var ((a, b), c) in counts)
        {
            (neighbours.TryGetValue(a, out var la) ? la : neighbours[a] = []).Add((b, c));
            (neighbours.TryGetValue(b, out var lb) ? lb : neighbours[b] = []).Add((a, c));
        }
        var kept = new Dictionary<(int, int), int>();
        foreach (var (item, list) in neighbours)
            foreach (var (other, count) in list.OrderByDescending(n => n.Count).ThenBy(n => n.Other).Take(k))
                kept[Ordered(item, other)] = count;
        return kept;
    }

    private static (int, int) Ordered(int a, int b) => a < b ? (a, b) : (b, a);

    /// <summary>Â of an item graph: [N + 1, N + 1].</summary>
    public SparseAdjacency ItemAdjacency(Dictionary<(int, int), int> counts, EdgeWeight weight, Device device) =>
        Normalised(Items + 1, counts.Select(e => (e.Key.Item1, e.Key.Item2, weight == EdgeWeight.Count ? e.Value : 1.0)), device);

    /// <summary>Â of the user–item graph: [N + 1 + users, N + 1 + users].</summary>
    public SparseAdjacency MixedAdjacency(Device device) =>
        Normalised(Items + 1 + Users, UserItemEdges.Select(e => (e.Item, Items + 1 + e.User, 1.0)), device);

    /// <summary>Each item's degree in G^mix, self-loop included: 1 + the users who interacted with it in training.</summary>
    public int[] MixedItemDegrees()
    {
        var degree = Enumerable.Repeat(1, Items + 1).ToArray();
        foreach (var (item, _) in UserItemEdges) degree[item]++;
        return degree;
    }

    private static SparseAdjacency Normalised(int nodes, IEnumerable<(int A, int B, double W)> undirected, Device device)
    {
        var degree = new double[nodes];
        var pairs = new List<(int, int, double)>();
        for (int n = 0; n < nodes; n++) { pairs.Add((n, n, 1)); degree[n] = 1; }
        foreach (var (a, b, w) in undirected)
        {
            pairs.Add((a, b, w));
            pairs.Add((b, a, w));
            degree[a] += w;
            degree[b] += w;
        }
        pairs.Sort((x, y) => x.Item1 != y.Item1 ? x.Item1.CompareTo(y.Item1) : x.Item2.CompareTo(y.Item2));
        var rows = new long[pairs.Count];
        var cols = new long[pairs.Count];
        var values = new float[pairs.Count];
        for (int k = 0; k < pairs.Count; k++)
        {
            var (a, b, w) = pairs[k];
            (rows[k], cols[k]) = (a, b);
            values[k] = (float)(w / Math.Sqrt(degree[a] * degree[b]));
        }
        return SparseAdjacency.FromEdges(nodes, rows, cols, values, device);
    }
}
