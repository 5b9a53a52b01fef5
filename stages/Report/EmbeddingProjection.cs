using CrossDomain.Engine.Stages;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Stages.Report;

/// <summary>
/// SemaCDR's Figure 3: item representations after graph learning (h^S for source items, h^T for target items) of a
/// trained model, projected to two dimensions by PCA, with a number for how much the domains mix: the share of
/// items whose nearest neighbour (cosine, in the full space) belongs to the other domain.
/// </summary>
public static class EmbeddingProjection
{
    public sealed record Result(double[] X, double[] Y, bool[] IsSource, double CrossDomainNeighbours, double OtherDomainShare, int Seed);

    public static Result Project(ReportInputs.TrainRun run, FeatureTables tables)
    {
        TorchNativeLoader.EnsureLoaded();
        var seed = run.Config.Seeds.Min();
        var folder = Path.Combine(run.Checkpoints, $"seed_{seed}", "best");
        if (!File.Exists(Path.Combine(folder, "model.dat")))
            throw new StageException($"{folder}: no best checkpoint for seed {seed} of {run.Stage}");
        float[] data;
        int d;
        using (var scope = NewDisposeScope())
        {
            using var model = ModelCatalog.Create(run.Config.Model, tables, run.Config);
            Checkpoint.LoadWeights(folder, model);
            model.eval();
            var reps = model is IItemRepresentations m ? m.ItemRepresentations(CPU)
                : throw new StageException($"{run.Stage}: {run.Model} does not expose item representations for the projection");
            d = (int)reps.shape[1];
            data = reps.contiguous().data<float>().ToArray();
        }
        int n = tables.ItemCount;
        var rows = new double[n][];
        for (int i = 0; i < n; i++) rows[i] = Enumerable.Range(0, d).Select(k => (double)data[(i + 1) * d + k]).ToArray();
        var isSource = new bool[n];
        foreach (var i in tables.SourceItems) isSource[i - 1] = true;
        var (x, y) = Pca2(rows);
        var cross = NearestNeighbourCrossRate(rows, isSource);
        var sourceShare = isSource.Count(b => b) / (double)n;
        // With random mixing, a source item's neighbour is a target item with the target share, and vice versa.
        var chance = 2 * sourceShare * (1 - sourceShare);
        return new Result(x, y, isSource, cross, chance, seed);
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
