using Microsoft.Extensions.AI;

namespace CrossDomain.Providers.Embedding;

/// <summary>
/// Embedding middleware that L2-normalises every vector (providers differ in whether they do), so that what the cache
/// stores and what the stages read are unit vectors whatever the provider. A zero vector stays zero.
/// </summary>
public sealed class NormalizingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var generated = await base.GenerateAsync(values, options, cancellationToken);
        var normalized = new GeneratedEmbeddings<Embedding<float>>(generated.Select(e => new Embedding<float>(Normalize(e.Vector.ToArray()))
        {
            ModelId = e.ModelId, CreatedAt = e.CreatedAt, AdditionalProperties = e.AdditionalProperties,
        }))
        { Usage = generated.Usage, AdditionalProperties = generated.AdditionalProperties };
        return normalized;
    }

    public static float[] Normalize(float[] v)
    {
        var norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return norm > 0 ? v.Select(x => (float)(x / norm)).ToArray() : v;
    }
}
