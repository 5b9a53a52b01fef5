using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;

namespace CrossDomain.Providers.Embedding;

/// <summary>
/// A sentence-transformers model folder exported to ONNX, run in process: <c>model.onnx</c> (inputs input_ids,
/// attention_mask and, if the model has it, token_type_ids; output last_hidden_state or token_embeddings),
/// <c>vocab.txt</c> for the BERT WordPiece tokenizer (Microsoft.ML.Tokenizers), the maximum length from
/// <c>sentence_bert_config.json</c> (<c>max_seq_length</c>, else config.json's <c>max_position_embeddings</c>), and
/// the pooling from <c>1_Pooling/config.json</c> (attention-mask mean by default, or CLS). Vectors are
/// L2-normalised. Texts are batched; a batch is padded to its longest text.
/// </summary>
public sealed class OnnxEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly bool _hasTokenTypes;
    private readonly string _output;
    private readonly bool _clsPooling;

    public int MaxLength { get; }
    public string ModelId { get; }

    public OnnxEmbedder(string folder)
    {
        string Need(string file) => File.Exists(Path.Combine(folder, file)) ? Path.Combine(folder, file)
            : throw new FileNotFoundException($"onnx model folder {folder}: {file} is missing (expected a sentence-transformers ONNX export)");
        var model = Need("model.onnx");
        var vocab = Need("vocab.txt");
        var lower = true;
        MaxLength = 512;
        if (ReadJson(Path.Combine(folder, "config.json")) is { } config && config.TryGetProperty("max_position_embeddings", out var mpe)) MaxLength = mpe.GetInt32();
        if (ReadJson(Path.Combine(folder, "sentence_bert_config.json")) is { } sbert)
        {
            if (sbert.TryGetProperty("max_seq_length", out var msl)) MaxLength = msl.GetInt32();
            if (sbert.TryGetProperty("do_lower_case", out var dlc)) lower = dlc.GetBoolean();
        }
        _clsPooling = ReadJson(Path.Combine(folder, "1_Pooling", "config.json")) is { } pooling
            && pooling.TryGetProperty("pooling_mode_cls_token", out var cls) && cls.GetBoolean();
        _tokenizer = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = lower });
        _session = new InferenceSession(model, new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount });
        _hasTokenTypes = _session.InputMetadata.ContainsKey("token_type_ids");
        foreach (var input in new[] { "input_ids", "attention_mask" })
            if (!_session.InputMetadata.ContainsKey(input))
                throw new InvalidDataException($"{model}: no input '{input}'; inputs are {string.Join(", ", _session.InputMetadata.Keys)}");
        _output = _session.OutputMetadata.Keys.FirstOrDefault(k => k is "last_hidden_state" or "token_embeddings") ?? _session.OutputMetadata.Keys.First();
        ModelId = Convert.ToHexStringLower(System.IO.Hashing.XxHash128.Hash(File.ReadAllBytes(model)));
    }

    private static JsonElement? ReadJson(string path) => File.Exists(path) ? JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone() : null;

    /// <summary>Token ids of one text: [CLS] … [SEP], truncated to the maximum length (keeping [SEP]).</summary>
    public long[] Tokenize(string text)
    {
        var ids = _tokenizer.EncodeToIds(text);
        if (ids.Count > MaxLength) ids = [.. ids.Take(MaxLength - 1), ids[^1]];
        return ids.Select(i => (long)i).ToArray();
    }

    public float[][] Embed(IReadOnlyList<string> texts)
    {
        var tokens = texts.Select(Tokenize).ToList();
        int batch = tokens.Count, length = Math.Max(1, tokens.Max(t => t.Length));
        var ids = new DenseTensor<long>([batch, length]);
        var mask = new DenseTensor<long>([batch, length]);
        var types = new DenseTensor<long>([batch, length]);
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < tokens[b].Length; s++) { ids[b, s] = tokens[b][s]; mask[b, s] = 1; }
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("input_ids", ids), NamedOnnxValue.CreateFromTensor("attention_mask", mask) };
        if (_hasTokenTypes) inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", types));
        using var results = _session.Run(inputs, [_output]);
        var hidden = results.First().AsTensor<float>();
        int dims = hidden.Dimensions[2];
        var vectors = new float[batch][];
        for (int b = 0; b < batch; b++)
        {
            var v = new double[dims];
            int count = _clsPooling ? 1 : tokens[b].Length;
            for (int s = 0; s < count; s++)
                for (int h = 0; h < dims; h++) v[h] += hidden[b, s, h];
            double norm = Math.Sqrt(v.Sum(x => x * x));
            vectors[b] = v.Select(x => norm > 0 ? (float)(x / norm) : 0f).ToArray();
        }
        return vectors;
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(Embed(values.ToList()).Select(v => new Embedding<float>(v))));

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => _session.Dispose();
}
