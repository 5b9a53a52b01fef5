using CrossDomain.Engine.Stages;
using CrossDomain.Providers.Chat;
using CrossDomain.Providers.Services;
using CrossDomain.Stages.Shared;

namespace CrossDomain.Stages.Embed;

/// <summary>Which text of an item is embedded.</summary>
public enum TextKind
{
    /// <summary>The item's title (TEMA-LLM's text view).</summary>
    Title,
    /// <summary>The extract stage's enriched description (SemaCDR's inner-domain view e^inn).</summary>
    Description,
    /// <summary>The extract stage's one-sentence domain-agnostic summary.</summary>
    Summary,
}

public enum MissingTextPolicy
{
    /// <summary>A zero vector with <c>has_text = false</c>, counted in the report.</summary>
    Zero,
    /// <summary>The stage fails, naming the first items without the text.</summary>
    Fail,
}

public sealed class LsaParams
{
    [Param("d: output dimensions.", Min = 1)]
    public int Dimensions { get; set; } = 128;
    [Param("Most frequent terms kept.", Min = 1)]
    public int VocabularySize { get; set; } = 20_000;
    [Param("Terms in fewer texts are dropped.", Min = 1)]
    public int MinDocumentFrequency { get; set; } = 2;
    [Param("Power iterations of the randomised SVD.", Min = 0)]
    public int PowerIterations { get; set; } = 3;
    [Param("Seed of the random projection: same seed, same vectors.", Min = 0)]
    public int Seed { get; set; } = 42;

    [Param("A saved projections folder (an embed stage's projections output): embed with it instead of fitting, so new texts land in the same space.")]
    public InputPath? Projection { get; set; }
}

public sealed class EmbedderParams : ProviderEndpointParams, IValidatableParams
{
    /// <summary>TF-IDF + randomised truncated SVD fitted on the texts themselves; no weights needed (the default).</summary>
    public const string LsaKind = "lsa";
    /// <summary>A sentence-transformers model exported to ONNX, run in process (model_path: the folder).</summary>
    public const string OnnxKind = "onnx";

    private string _kind = LsaKind;

    [Param("lsa (default, in process), onnx (in process), or a model service: ollama, openai or azure_openai.")]
    public string Kind { get => _kind; set => _kind = value.Trim().ToLowerInvariant().Replace('-', '_'); }

    [Param("Texts per request to a network embedder.", Min = 1)]
    public int BatchSize { get; set; } = 64;

    [Param("The lsa embedder's settings.")]
    public LsaParams Lsa { get; set; } = new();

    [Param("onnx: the model folder (model.onnx, vocab.txt, sentence_bert_config.json, 1_Pooling/config.json).")]
    public InputPath? ModelPath { get; set; }

    public bool IsNetwork => ModelServices.Find(Kind) is not null;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (BatchSize < 1) yield return ("batch_size", "must be >= 1");
        if (Kind is not (LsaKind or OnnxKind) && !IsNetwork)
            yield return ("kind", $"unknown embedder '{Kind}'; one of {LsaKind}, {OnnxKind}, {string.Join(", ", ModelServices.Names)}");
        if (Kind == OnnxKind && string.IsNullOrEmpty(ModelPath?.Value)) yield return ("model_path", "the onnx embedder needs model_path (a sentence-transformers ONNX folder)");
        if (Lsa.Dimensions < 1) yield return ("lsa.dimensions", "must be >= 1");
        if (Lsa.VocabularySize < 1) yield return ("lsa.vocabulary_size", "must be >= 1");
        if (Lsa.MinDocumentFrequency < 1) yield return ("lsa.min_document_frequency", "must be >= 1");
        if (Lsa.PowerIterations < 0) yield return ("lsa.power_iterations", "must be >= 0");
        foreach (var e in ValidateEndpoint(IsNetwork, Kind)) yield return e;
    }

    public ChatProviderOptions ToOptions() => IsNetwork ? ToOptions(Kind) : throw new InvalidOperationException($"{Kind} is not a network embedder");
}

public sealed class EmbedParams : IValidatableParams
{
    [Param("The embedder and how to reach it.")]
    public EmbedderParams Embedder { get; set; } = new();

    [Param("Texts to embed per item: description (SemaCDR inner-domain view), title (TEMA-LLM text view), summary.")]
    public List<TextKind> Texts { get; set; } = [TextKind.Description, TextKind.Title];

    [Param("zero (zero vector, has_text false, counted) or fail, for an item without the text.")]
    public MissingTextPolicy MissingText { get; set; } = MissingTextPolicy.Zero;

    [Param("Folder of the per-text vector cache of network embedders, relative to the artifacts folder.")]
    public string CacheDir { get; set; } = ".cache/embeddings";

    public bool NeedsSemantics => Texts.Any(t => t != TextKind.Title);

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Texts.Count == 0) yield return ("texts", "list at least one of description, title, summary");
        if (Texts.Distinct().Count() != Texts.Count) yield return ("texts", "a text kind is listed twice");
        foreach (var e in Embedder.Validate()) yield return ("embedder." + e.Key, e.Message);
    }
}
