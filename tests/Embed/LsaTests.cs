using CrossDomain.Providers.Embedding;

namespace CrossDomain.Tests.Embed;

/// <summary>The lsa embedder on hand-made sentences, and its SVD against an exact decomposition.</summary>
public sealed class LsaTests
{
    private static readonly string[] Corpus =
    [
        "stainless steel chef knife for the kitchen",
        "sharp steel kitchen knife with wooden handle",
        "ceramic kitchen knife set with block",
        "dark chocolate bar with sea salt",
        "milk chocolate candy bar with almonds",
        "organic dark chocolate cocoa powder",
        "green tea leaves organic loose",
        "black tea bags english breakfast",
        "herbal tea bags chamomile organic",
    ];

    private static double Cos(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();

    [Fact]
    public void Similar_texts_are_closer_than_unrelated_ones_and_vectors_are_unit_length()
    {
        var model = LsaModel.Fit(Corpus, new LsaOptions { Dimensions = 3, MinDocumentFrequency = 2 });
        var knife = model.Embed("steel knife for the kitchen");
        var knife2 = model.Embed("kitchen knife set");
        var chocolate = model.Embed("dark chocolate bar");
        var tea = model.Embed("organic green tea bags");
        Assert.True(Cos(knife, knife2) > Cos(knife, chocolate) + 0.3, $"{Cos(knife, knife2)} vs {Cos(knife, chocolate)}");
        Assert.True(Cos(knife, knife2) > Cos(knife, tea) + 0.3);
        Assert.True(Cos(chocolate, model.Embed("milk chocolate candy")) > Cos(chocolate, tea));
        foreach (var v in new[] { knife, knife2, chocolate, tea })
        {
            Assert.Equal(3, v.Length);
            Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 5);
        }
        Assert.All(model.Embed("zebra quantum"), x => Assert.Equal(0f, x)); // no known term: zero vector
    }

    [Fact]
    public void Same_seed_same_vectors_and_dimensions_as_asked()
    {
        var a = LsaModel.Fit(Corpus, new LsaOptions { Dimensions = 4, Seed = 7 });
        var b = LsaModel.Fit(Corpus, new LsaOptions { Dimensions = 4, Seed = 7 });
        Assert.Equal(a.Components, b.Components);
        Assert.Equal(a.Embed(Corpus[0]), b.Embed(Corpus[0]));
        var wide = LsaModel.Fit(Corpus, new LsaOptions { Dimensions = 64 }); // more than the corpus supports: zero-padded
        Assert.Equal(64, wide.Embed(Corpus[0]).Length);
    }

    [Fact]
    public void Randomised_svd_matches_the_exact_right_singular_vectors_of_a_small_matrix()
    {
        // X (4 x 5): when k covers the whole row space the randomised range finder is exact.
        var dense = new double[,] { { 1, 0, 2, 0, 1 }, { 0, 3, 0, 1, 0 }, { 2, 0, 1, 0, 0 }, { 0, 1, 0, 2, 2 } };
        var rows = Enumerable.Range(0, 4).Select(r =>
        {
            var ids = Enumerable.Range(0, 5).Where(c => dense[r, c] != 0).ToArray();
            return (ids, ids.Select(c => dense[r, c]).ToArray());
        }).ToList();
        var v = RandomizedSvd.RightSingularVectors(rows, 5, 2, oversampling: 10, powerIterations: 2, seed: 1);
        // Exact: the dense SVD's right singular vectors (MathNet, largest first), sign fixed the same way.
        var vt = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(dense).Svd(computeVectors: true).VT;
        for (int k = 0; k < 2; k++)
        {
            var exact = vt.Row(k).ToArray();
            var arg = Enumerable.Range(0, 5).MaxBy(i => Math.Abs(exact[i]));
            if (exact[arg] < 0) exact = exact.Select(x => -x).ToArray();
            for (int i = 0; i < 5; i++) Assert.Equal(exact[i], v[k][i], 6);
        }
    }
}
