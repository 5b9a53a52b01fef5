using CrossDomain.Trainer.Data;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.SemaCdr;

/// <summary>
/// SemaCDR's three graphs (§2.3.4), from training interactions only (each user's <c>*_train</c> histories, which end
/// before the validation interaction: no validation or test interaction is ever an edge). Binary edges, as
/// symmetric normalised adjacencies Â = D^-1/2 (A + I) D^-1/2 as edge lists (<see cref="SparseAdjacency"/>):
/// <list type="bullet">
/// <item>G^S, G^T: item–item, an edge between two items of one domain that some user interacted with (Full), or
/// that follow each other in some user's sequence (Simple, the SimpGraph ablation: no association through users);</item>
/// <item>G^mix: the bipartite user–item graph over both domains (Full); none for Simple.</item>
/// </list>
/// Node ids: items by their index 0..N (0 is padding); in G^mix, users follow at N + 1 + user_idx. Every node keeps
/// its self-loop, so nodes outside a graph's domain pass through unchanged.
/// </summary>
public sealed class InteractionGraphs
{
    public required int Items { get; init; }
    public required int Users { get; init; }
    public required HashSet<(int, int)> SourceEdges { get; init; }
    public required HashSet<(int, int)> TargetEdges { get; init; }
    /// <summary>(item, user) pairs of G^mix; empty for the simple graphs.</summary>
    public required HashSet<(int Item, int User)> UserItemEdges { get; init; }

    public static InteractionGraphs Build(FeatureTables tables, GraphKind kind)
    {
        var source = new HashSet<(int, int)>();
        var target = new HashSet<(int, int)>();
        var userItem = new HashSet<(int, int)>();
        foreach (var u in tables.Users)
        {
            AddItemEdges(u.SourceTrain, source, kind);
            AddItemEdges(u.TargetTrain, target, kind);
            if (kind == GraphKind.Full)
                foreach (var i in u.SourceTrain.Concat(u.TargetTrain)) userItem.Add((i, u.UserIdx));
        }
        return new InteractionGraphs
        {
            Items = tables.ItemCount, Users = tables.Users.Count == 0 ? 0 : tables.Users.Max(u => u.UserIdx) + 1,
            SourceEdges = source, TargetEdges = target, UserItemEdges = userItem,
        };
    }

    private static void AddItemEdges(int[] sequence, HashSet<(int, int)> edges, GraphKind kind)
    {
        if (kind == GraphKind.Simple)
        {
            for (int k = 1; k < sequence.Length; k++)
                if (sequence[k] != sequence[k - 1]) edges.Add(Ordered(sequence[k - 1], sequence[k]));
            return;
        }
        var distinct = sequence.Distinct().ToArray();
        for (int a = 0; a < distinct.Length; a++)
            for (int b = a + 1; b < distinct.Length; b++) edges.Add(Ordered(distinct[a], distinct[b]));
    }

    private static (int, int) Ordered(int a, int b) => a < b ? (a, b) : (b, a);

    /// <summary>Â of an item graph: [N + 1, N + 1].</summary>
    public SparseAdjacency ItemAdjacency(HashSet<(int, int)> edges, Device device) => Normalised(Items + 1, edges, device);

    /// <summary>Â of the user–item graph: [N + 1 + users, N + 1 + users].</summary>
    public SparseAdjacency MixedAdjacency(Device device) =>
        Normalised(Items + 1 + Users, UserItemEdges.Select(e => (e.Item, Items + 1 + e.User)), device);

    private static SparseAdjacency Normalised(int nodes, IEnumerable<(int, int)> undirected, Device device)
    {
        var degree = new double[nodes];
        var pairs = new List<(int, int)>();
        for (int n = 0; n < nodes; n++) { pairs.Add((n, n)); degree[n] = 1; }
        foreach (var (a, b) in undirected)
        {
            pairs.Add((a, b));
            pairs.Add((b, a));
            degree[a]++;
            degree[b]++;
        }
        pairs.Sort();
        var rows = new long[pairs.Count];
        var cols = new long[pairs.Count];
        var values = new float[pairs.Count];
        for (int k = 0; k < pairs.Count; k++)
        {
            var (a, b) = pairs[k];
            (rows[k], cols[k]) = (a, b);
            values[k] = (float)(1 / Math.Sqrt(degree[a] * degree[b]));
        }
        // Built once and kept by the model: outside any batch's dispose scope.
        return new SparseAdjacency(nodes, tensor(rows, device: device).DetachFromDisposeScope(), tensor(cols, device: device).DetachFromDisposeScope(),
            tensor(values, device: device).unsqueeze(1).DetachFromDisposeScope());
    }
}

/// <summary>
/// A sparse matrix as an edge list. Â X is computed as a gather of X's rows and a scatter_add into the output rows:
/// on CPU this sums in a fixed order, so one seed gives bit-identical results (libtorch's sparse COO product over
/// an uncoalesced tensor does not, and TorchSharp exposes no coalesce).
/// </summary>
public sealed class SparseAdjacency(int nodes, Tensor rows, Tensor cols, Tensor weights) : IDisposable
{
    public int Nodes => nodes;
    public long Edges => rows.shape[0];

    /// <remarks>
    /// scatter_add, which takes no Scalar: index_add's alpha would be a temporary TorchSharp Scalar, which a
    /// collection during the (long) native call can finalise mid-use (see <see cref="Torch.KeptScalars"/>).
    /// </remarks>
    public Tensor Multiply(Tensor features)
    {
        var d = features.shape[1];
        return zeros(nodes, d, dtype: features.dtype, device: features.device)
            .scatter_add(0, rows.unsqueeze(1).expand(-1, d), features.index_select(0, cols) * weights);
    }

    public void Dispose()
    {
        rows.Dispose();
        cols.Dispose();
        weights.Dispose();
    }
}
