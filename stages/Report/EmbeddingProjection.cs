using CrossDomain.Engine.Stages;
using CrossDomain.Trainer.Torch;
using static TorchSharp.torch;

namespace CrossDomain.Stages.Report;

/// <summary>
/// SemaCDR's Figure 3: item representations after graph learning (h^S for source items, h^T for target items) of a
/// trained model, projected to two dimensions by PCA, with a number for how much the domains mix: the share of
/// items whose nearest neighbour (cosine, in the full space) belongs to the other domain.
/// </summary>
public static class EmbeddingProjection
{
    public sealed record Result(double[] X, double[] Y, bool[] IsSource, double CrossDomainNeighbours, double OtherDomainShare, int Seed,
        string SourceDomain, string TargetDomain);

    /// <summary>The run's lowest seed, from the item representations its train stage wrote (the model is not rebuilt).</summary>
    public static Result Project(ReportInputs.TrainRun run)
    {
        if (run.Representations.Count == 0)
            throw new StageException($"{run.Stage}: its item_representations.parquet is empty ({run.Model} under this protocol exposes no item representations)");
        var seed = run.Representations.Min(r => r.Seed);
        var items = run.Representations.Where(r => r.Seed == seed).OrderBy(r => r.ItemIdx).ToList();
        var rows = items.Select(r => r.Vector.Select(v => (double)v).ToArray()).ToArray();
        var isSource = items.Select(r => r.Role == "source").ToArray();
        var (x, y) = Pca2(rows);
        var cross = NearestNeighbourCrossRate(rows, isSource);
        var sourceShare = isSource.Count(b => b) / (double)items.Count;
        // With random mixing, a source item's neighbour is a target item with the target share, and vice versa.
        var chance = 2 * sourceShare * (1 - sourceShare);
        string Domain(bool source, string fallback) => items.FirstOrDefault(r => (r.Role == "source") == source)?.Domain ?? fallback;
        return new Result(x, y, isSource, cross, chance, seed, Domain(true, "source"), Domain(false, "target"));
    }

    /// <summary>
    /// Scores on the first two principal components: the centred rows' thin SVD (<c>torch.linalg.svd</c>, in double
    /// precision), signs fixed so that each component's largest loading is positive.
    /// </summary>
    public static (double[] X, double[] Y) Pca2(double[][] rows)
    {
        int n = rows.Length, d = n == 0 ? 0 : rows[0].Length;
        if (n == 0) return ([], []);
        TorchNativeLoader.EnsureLoaded();
        using var scope = NewDisposeScope();
        var x = tensor(rows.SelectMany(r => r).ToArray(), [n, d], ScalarType.Float64);
        x = x - x.mean([0], keepdim: true);
        var (_, _, vh) = linalg.svd(x, fullMatrices: false);
        var components = vh[..Math.Min(2, (int)vh.shape[0])];
        // The sign of a singular vector is arbitrary: make each component's largest |loading| positive.
        var largest = components.abs().argmax(1, keepdim: true);
        var sign = components.gather(1, largest).sign();
        components = components * where(sign.eq(0), ones_like(sign), sign);
        var scores = x.matmul(components.T);
        double[] Column(int c) => c < scores.shape[1] ? scores[.., c].contiguous().data<double>().ToArray() : new double[n];
        return (Column(0), Column(1));
    }

    /// <summary>Share of items whose nearest other item (cosine) is from the other domain.</summary>
    public static double NearestNeighbourCrossRate(double[][] rows, bool[] isSource)
    {
        var unit = rows.Select(r => { var norm = Math.Sqrt(Dot(r, r)); return r.Select(x => norm > 0 ? x / norm : 0).ToArray(); }).ToArray();
        int crossed = 0;
        for (int i = 0; i < unit.Length; i++)
        {
            int best = -1;
            double bestSim = double.NegativeInfinity;
            for (int j = 0; j < unit.Length; j++)
            {
                if (j == i) continue;
                var sim = Dot(unit[i], unit[j]);
                if (sim > bestSim) { bestSim = sim; best = j; }
            }
            if (best >= 0 && isSource[best] != isSource[i]) crossed++;
        }
        return unit.Length == 0 ? 0 : crossed / (double)unit.Length;
    }

    private static double Dot(double[] a, double[] b) { double s = 0; for (int k = 0; k < a.Length; k++) s += a[k] * b[k]; return s; }
}
