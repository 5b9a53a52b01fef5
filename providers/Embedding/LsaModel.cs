using System.Text;
using Microsoft.Extensions.AI;

namespace CrossDomain.Providers.Embedding;

/// <summary>Settings of the <c>lsa</c> embedder.</summary>
public sealed record LsaOptions
{
    /// <summary>d: output dimensions.</summary>
    public int Dimensions { get; init; } = 128;
    /// <summary>Most frequent terms kept (by document frequency).</summary>
    public int VocabularySize { get; init; } = 20_000;
    /// <summary>Terms in fewer documents are dropped.</summary>
    public int MinDocumentFrequency { get; init; } = 2;
    /// <summary>Power iterations of the randomised SVD (Halko et al. 2011); 2 is plenty for text.</summary>
    public int PowerIterations { get; init; } = 3;
    /// <summary>Extra random directions beyond d, for accuracy.</summary>
    public int Oversampling { get; init; } = 10;
    public int Seed { get; init; } = 42;
}

/// <summary>
/// Latent semantic analysis: TF-IDF (sublinear tf = 1 + ln count, smooth idf = ln((1 + n) / (1 + df)) + 1, rows
/// L2-normalised, as scikit-learn's TfidfVectorizer) fitted on the texts being embedded, projected on the top d right
/// singular vectors of the TF-IDF matrix from a seeded randomised SVD, then L2-normalised. Deterministic for a seed
/// (component signs fixed so that each component's largest loading is positive). The fitted projection (terms, idf,
/// loadings) can be saved and reloaded, so that new texts are embedded consistently. Not a neural model: it is
/// the embedded default that needs no weights.
/// </summary>
public sealed class LsaModel : IEmbeddingGenerator<string, Embedding<float>>
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "in", "is", "it", "its", "of", "on", "or", "that",
        "the", "this", "to", "was", "with", "you", "your", "our", "we", "will", "can", "all", "per",
    };

    private readonly Dictionary<string, int> _index;

    public IReadOnlyList<string> Terms { get; }
    public float[] Idf { get; }
    /// <summary>Loadings, term-major: <c>Components[t * Dimensions + k]</c> is term t's weight in component k.</summary>
    public float[] Components { get; }
    public int Dimensions { get; }

    public LsaModel(IReadOnlyList<string> terms, float[] idf, float[] components, int dimensions)
    {
        if (idf.Length != terms.Count || components.Length != terms.Count * dimensions)
            throw new ArgumentException("terms, idf and components disagree in size");
        Terms = terms;
        Idf = idf;
        Components = components;
        Dimensions = dimensions;
        _index = new Dictionary<string, int>(terms.Count, StringComparer.Ordinal);
        for (int t = 0; t < terms.Count; t++) _index[terms[t]] = t;
    }

    /// <summary>Lowercase letter-and-digit runs of two or more characters, stop words removed.</summary>
    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var sb = new StringBuilder();
        foreach (var ch in text + " ")
        {
            if (char.IsLetterOrDigit(ch)) { sb.Append(char.ToLowerInvariant(ch)); continue; }
            if (sb.Length >= 2 && !StopWords.Contains(sb.ToString())) tokens.Add(sb.ToString());
            sb.Clear();
        }
        return tokens;
    }

    public static LsaModel Fit(IReadOnlyList<string> texts, LsaOptions options)
    {
        var docs = texts.Select(Tokenize).ToList();
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var doc in docs)
            foreach (var term in doc.Distinct()) df[term] = df.GetValueOrDefault(term) + 1;
        var terms = df.Where(kv => kv.Value >= options.MinDocumentFrequency)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(options.VocabularySize).Select(kv => kv.Key).OrderBy(t => t, StringComparer.Ordinal).ToList();
        int n = docs.Count, v = terms.Count;
        var idf = terms.Select(t => (float)(Math.Log((1.0 + n) / (1.0 + df[t])) + 1)).ToArray();
        var scratch = new LsaModel(terms, idf, new float[v * Math.Max(1, 1)], 1);
        var rows = docs.Select(scratch.Row).ToList();
        int d = Math.Min(options.Dimensions, Math.Min(n, v));
        if (d < 1) throw new InvalidOperationException($"lsa: {n} texts with {v} terms of document frequency >= {options.MinDocumentFrequency}: nothing to fit");
        var components = RandomizedSvd.RightSingularVectors(rows, v, d, options.Oversampling, options.PowerIterations, options.Seed);
        // Pad to the requested dimensions with zero components when the corpus is smaller than d.
        var full = new float[v * options.Dimensions];
        for (int t = 0; t < v; t++)
            for (int k = 0; k < d; k++) full[t * options.Dimensions + k] = (float)components[k][t];
        return new LsaModel(terms, idf, full, options.Dimensions);
    }

    /// <summary>The text's TF-IDF row (sparse, L2-normalised).</summary>
    private (int[] Terms, double[] Weights) Row(List<string> tokens)
    {
        var counts = new Dictionary<int, int>();
        foreach (var tok in tokens)
            if (_index.TryGetValue(tok, out var t)) counts[t] = counts.GetValueOrDefault(t) + 1;
        var ids = counts.Keys.Order().ToArray();
        var w = ids.Select(t => (1 + Math.Log(counts[t])) * Idf[t]).ToArray();
        var norm = Math.Sqrt(w.Sum(x => x * x));
        if (norm > 0) for (int i = 0; i < w.Length; i++) w[i] /= norm;
        return (ids, w);
    }

    /// <summary>Embeds one text: its TF-IDF row projected on the components, L2-normalised (all zeros if no known term).</summary>
    public float[] Embed(string text)
    {
        var (ids, w) = Row(Tokenize(text));
        var v = new double[Dimensions];
        for (int i = 0; i < ids.Length; i++)
        {
            int off = ids[i] * Dimensions;
            for (int k = 0; k < Dimensions; k++) v[k] += w[i] * Components[off + k];
        }
        var norm = Math.Sqrt(v.Sum(x => x * x));
        return v.Select(x => norm > 0 ? (float)(x / norm) : 0f).ToArray();
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(t => new Embedding<float>(Embed(t)))));

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
