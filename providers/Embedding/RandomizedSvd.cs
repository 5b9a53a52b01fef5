using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace CrossDomain.Providers.Embedding;

/// <summary>
/// Top-d right singular vectors of a sparse matrix X (rows given as sorted term ids and weights), by the randomised
/// range finder of Halko, Martinsson and Tropp (2011, algorithms 4.4 and 5.1): Y = X Ω with power iterations
/// (re-orthonormalised each time), Q = orth(Y), B = Qᵀ X, then the eigenvectors of the small B Bᵀ give B's right
/// singular vectors. The sparse products and the re-orthonormalisation are here (MathNet.Numerics has no randomised
/// SVD, and its managed QR is slower on these tall blocks); the symmetric eigen-decomposition of B Bᵀ is MathNet's. Seeded, so the same input gives the same
/// vectors; each vector's sign is fixed so that its largest-magnitude entry is positive.
/// </summary>
public static class RandomizedSvd
{
    public static double[][] RightSingularVectors(IReadOnlyList<(int[] Terms, double[] Weights)> rows, int columns, int d,
        int oversampling, int powerIterations, int seed)
    {
        int n = rows.Count, k = Math.Min(d + oversampling, Math.Min(n, columns));
        var rng = new Random(seed);
        // Ω: columns × k standard normal (Box–Muller), column-major per random direction.
        var omega = new double[k][];
        for (int j = 0; j < k; j++)
        {
            omega[j] = new double[columns];
            for (int c = 0; c < columns; c++)
            {
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                omega[j][c] = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            }
        }
        var y = MultiplyX(rows, omega, n);           // n × k as k columns
        Orthonormalize(y);
        for (int it = 0; it < powerIterations; it++)
        {
            var z = MultiplyXt(rows, y, columns);    // columns × k
            Orthonormalize(z);
            y = MultiplyX(rows, z, n);
            Orthonormalize(y);
        }
        var b = MultiplyXt(rows, y, columns);        // Bᵀ = Xᵀ Q: columns × k (k columns)
        // B Bᵀ (k × k) = (Bᵀ)ᵀ Bᵀ
        var gram = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = i; j < k; j++)
            {
                double s = 0;
                for (int c = 0; c < columns; c++) s += b[i][c] * b[j][c];
                gram[i, j] = gram[j, i] = s;
            }
        var evd = Matrix<double>.Build.DenseOfArray(gram).Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(c => c.Real).ToArray();
        var vectors = evd.EigenVectors;
        var order = Enumerable.Range(0, k).OrderByDescending(i => values[i]).Take(d).ToArray();
        var result = new double[order.Length][];
        for (int r = 0; r < order.Length; r++)
        {
            int e = order[r];
            var sigma = Math.Sqrt(Math.Max(values[e], 0));
            var v = new double[columns];
            // Right singular vector of B: Bᵀ u / σ.
            for (int i = 0; i < k; i++)
            {
                var ui = vectors[i, e];
                if (ui == 0) continue;
                for (int c = 0; c < columns; c++) v[c] += b[i][c] * ui;
            }
            for (int c = 0; c < columns; c++) v[c] = sigma > 0 ? v[c] / sigma : 0;
            int arg = 0;
            for (int c = 1; c < columns; c++) if (Math.Abs(v[c]) > Math.Abs(v[arg])) arg = c;
            if (v[arg] < 0) for (int c = 0; c < columns; c++) v[c] = -v[c];
            result[r] = v;
        }
        return result;
    }

    private static double[][] MultiplyX(IReadOnlyList<(int[] Terms, double[] Weights)> rows, double[][] m, int n)
    {
        var result = new double[m.Length][];
        Parallel.For(0, m.Length, j =>
        {
            var col = m[j];
            var outCol = new double[n];
            for (int r = 0; r < n; r++)
            {
                var (ids, w) = rows[r];
                double s = 0;
                for (int i = 0; i < ids.Length; i++) s += w[i] * col[ids[i]];
                outCol[r] = s;
            }
            result[j] = outCol;
        });
        return result;
    }

    private static double[][] MultiplyXt(IReadOnlyList<(int[] Terms, double[] Weights)> rows, double[][] m, int columns)
    {
        var result = new double[m.Length][];
        Parallel.For(0, m.Length, j =>
        {
            var col = m[j];
            var outCol = new double[columns];
            for (int r = 0; r < rows.Count; r++)
            {
                var (ids, w) = rows[r];
                var x = col[r];
                if (x == 0) continue;
                for (int i = 0; i < ids.Length; i++) outCol[ids[i]] += w[i] * x;
            }
            result[j] = outCol;
        });
        return result;
    }

    /// <summary>
    /// Modified Gram–Schmidt on the columns, in order; a column that vanishes stays zero. Kept by hand: on these tall
    /// blocks (tens of thousands of rows, about 140 columns) it is several times faster than MathNet's managed QR.
    /// </summary>
    private static void Orthonormalize(double[][] cols)
    {
        for (int j = 0; j < cols.Length; j++)
        {
            var v = cols[j];
            for (int i = 0; i < j; i++)
            {
                var u = cols[i];
                double dot = 0;
                for (int r = 0; r < v.Length; r++) dot += u[r] * v[r];
                for (int r = 0; r < v.Length; r++) v[r] -= dot * u[r];
            }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            for (int r = 0; r < v.Length; r++) v[r] = norm > 1e-12 ? v[r] / norm : 0;
        }
    }
}
