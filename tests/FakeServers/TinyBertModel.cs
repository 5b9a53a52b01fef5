using System.Text;
using System.Text.Json;

namespace CrossDomain.FakeServers;

/// <summary>
/// Writes a tiny BERT-shaped sentence-transformers folder (model.onnx, vocab.txt, config.json,
/// sentence_bert_config.json, 1_Pooling/config.json) with seeded weights, for the onnx embedder's tests and
/// benchmark: inputs input_ids, attention_mask, token_type_ids [batch, sequence] (int64), output last_hidden_state
/// [batch, sequence, hidden] = tanh((word[id] + type[tt]) · W + b). The ONNX protobuf is written by hand from the
/// onnx.proto field numbers, so no model weights are downloaded; <see cref="Reference"/> computes the same
/// function independently.
/// </summary>
public sealed class TinyBertModel
{
    public static readonly string[] Vocabulary =
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "dark", "milk", "chocolate", "bar", "cocoa", "sweet", "green", "black", "tea",
        "leaf", "steel", "knife", "kitchen", "chef", "sharp", "set", "organic", "coffee", "bean", "roast", "pan", "cast", "iron", "##s", "a", "with",
    ];

    public int Hidden { get; }
    public int MaxSequence { get; }
    public float[,] Word { get; }
    public float[,] Type { get; }
    public float[,] Dense { get; }
    public float[] Bias { get; }

    public TinyBertModel(int hidden = 8, int maxSequence = 16, int seed = 3)
    {
        Hidden = hidden;
        MaxSequence = maxSequence;
        var rng = new Random(seed);
        float R() => (float)(rng.NextDouble() * 2 - 1);
        Word = new float[Vocabulary.Length, hidden];
        Type = new float[2, hidden];
        Dense = new float[hidden, hidden];
        Bias = new float[hidden];
        for (int v = 0; v < Vocabulary.Length; v++) for (int h = 0; h < hidden; h++) Word[v, h] = R();
        for (int t = 0; t < 2; t++) for (int h = 0; h < hidden; h++) Type[t, h] = R() * 0.1f;
        for (int i = 0; i < hidden; i++) for (int j = 0; j < hidden; j++) Dense[i, j] = R() * 0.5f;
        for (int h = 0; h < hidden; h++) Bias[h] = R() * 0.1f;
    }

    /// <summary>The model's output for one token sequence, computed directly from the weights.</summary>
    public float[][] Reference(IReadOnlyList<long> ids, IReadOnlyList<long> types)
    {
        var result = new float[ids.Count][];
        for (int s = 0; s < ids.Count; s++)
        {
            var e = new double[Hidden];
            for (int h = 0; h < Hidden; h++) e[h] = Word[ids[s], h] + Type[types[s], h];
            result[s] = new float[Hidden];
            for (int j = 0; j < Hidden; j++)
            {
                double acc = Bias[j];
                for (int i = 0; i < Hidden; i++) acc += e[i] * Dense[i, j];
                result[s][j] = (float)Math.Tanh(acc);
            }
        }
        return result;
    }

    public string WriteFolder(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "1_Pooling"));
        File.WriteAllLines(Path.Combine(folder, "vocab.txt"), Vocabulary);
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(new { model_type = "bert", hidden_size = Hidden, max_position_embeddings = 64 }));
        File.WriteAllText(Path.Combine(folder, "sentence_bert_config.json"), JsonSerializer.Serialize(new { max_seq_length = MaxSequence, do_lower_case = true }));
        File.WriteAllText(Path.Combine(folder, "1_Pooling", "config.json"),
            JsonSerializer.Serialize(new { word_embedding_dimension = Hidden, pooling_mode_cls_token = false, pooling_mode_mean_tokens = true }));
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), Onnx());
        return folder;
    }

    private byte[] Onnx()
    {
        var graph = new Pb()
            .Msg(1, Node("Gather", ["word_embeddings", "input_ids"], "word"))
            .Msg(1, Node("Gather", ["type_embeddings", "token_type_ids"], "type"))
            .Msg(1, Node("Add", ["word", "type"], "embedded"))
            .Msg(1, Node("MatMul", ["embedded", "dense_w"], "projected"))
            .Msg(1, Node("Add", ["projected", "dense_b"], "pre"))
            .Msg(1, Node("Tanh", ["pre"], "last_hidden_state"))
            .Str(2, "tiny_bert")
            .Msg(5, Tensor("word_embeddings", [Vocabulary.Length, Hidden], Flatten(Word)))
            .Msg(5, Tensor("type_embeddings", [2, Hidden], Flatten(Type)))
            .Msg(5, Tensor("dense_w", [Hidden, Hidden], Flatten(Dense)))
            .Msg(5, Tensor("dense_b", [Hidden], Bias))
            .Msg(11, Value("input_ids", 7, ["batch", "sequence"]))
            .Msg(11, Value("attention_mask", 7, ["batch", "sequence"]))
            .Msg(11, Value("token_type_ids", 7, ["batch", "sequence"]))
            .Msg(12, Value("last_hidden_state", 1, ["batch", "sequence", Hidden]));
        return new Pb()
            .Int(1, 8)                                   // ir_version
            .Str(2, "crossdomain-tests")                 // producer_name
            .Msg(7, graph)                               // graph
            .Msg(8, new Pb().Str(1, "").Int(2, 13))      // opset_import: default domain, opset 13
            .ToArray();
    }

    private static float[] Flatten(float[,] m) => m.Cast<float>().ToArray();

    private static Pb Node(string op, string[] inputs, string output)
    {
        var n = new Pb();
        foreach (var i in inputs) n.Str(1, i);
        return n.Str(2, output).Str(3, $"{op}_{output}").Str(4, op);
    }

    private static Pb Tensor(string name, long[] dims, float[] data)
    {
        var t = new Pb();
        foreach (var d in dims) t.Int(1, d);
        var raw = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, raw, 0, raw.Length);
        return t.Int(2, 1).Str(8, name).Bytes(9, raw); // data_type FLOAT, name, raw_data (little-endian)
    }

    private static Pb Value(string name, int elemType, object[] dims)
    {
        var shape = new Pb();
        foreach (var d in dims) shape.Msg(1, d is string p ? new Pb().Str(2, p) : new Pb().Int(1, Convert.ToInt64(d)));
        var tensor = new Pb().Int(1, elemType).Msg(2, shape);
        return new Pb().Str(1, name).Msg(2, new Pb().Msg(1, tensor));
    }

    /// <summary>The protobuf wire format, the little of it ONNX needs.</summary>
    private sealed class Pb
    {
        private readonly MemoryStream _ms = new();

        private void Varint(ulong v)
        {
            while (v >= 0x80) { _ms.WriteByte((byte)(v | 0x80)); v >>= 7; }
            _ms.WriteByte((byte)v);
        }

        public Pb Int(int field, long value) { Varint((ulong)(field << 3)); Varint((ulong)value); return this; }
        public Pb Bytes(int field, byte[] value) { Varint((ulong)((field << 3) | 2)); Varint((ulong)value.Length); _ms.Write(value); return this; }
        public Pb Str(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));
        public Pb Msg(int field, Pb message) => Bytes(field, message.ToArray());
        public byte[] ToArray() => _ms.ToArray();
    }
}
