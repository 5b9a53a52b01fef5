using CrossDomain.Engine.Artifacts;
using CrossDomain.FakeServers;
using CrossDomain.Providers.Embedding;
using CrossDomain.Stages.Embed;
using CrossDomain.Stages.Extract;
using CrossDomain.Stages.Ingest;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Embed;

/// <summary>The onnx embedder on a tiny generated BERT-shaped model, against the same function computed directly.</summary>
public sealed class OnnxEmbedderTests
{
    private static float[] Expected(TinyBertModel model, long[] ids)
    {
        var hidden = model.Reference(ids, new long[ids.Length]);
        var mean = Enumerable.Range(0, model.Hidden).Select(h => hidden.Average(t => (double)t[h])).ToArray();
        var norm = Math.Sqrt(mean.Sum(x => x * x));
        return mean.Select(x => (float)(x / norm)).ToArray();
    }

    [Fact]
    public void Outputs_match_an_independent_computation_with_mask_mean_pooling_and_l2_norm()
    {
        using var dir = new TempDir();
        var model = new TinyBertModel(hidden: 8, maxSequence: 16);
        using var embedder = new OnnxEmbedder(model.WriteFolder(Path.Combine(dir.Path, "tiny")));
        Assert.Equal(16, embedder.MaxLength); // from sentence_bert_config.json, not config.json's 64

        // WordPiece by hand: [CLS] dark chocolate bar ##s [SEP]; "and" is unknown.
        Assert.Equal([2L, 5, 7, 8, 28, 3], embedder.Tokenize("Dark chocolate bars"));
        Assert.Equal([2L, 13, 1, 3], embedder.Tokenize("tea and"));

        var texts = new[] { "Dark chocolate bars", "green tea leaf with a sweet roast", "knife" };
        var batch = embedder.Embed(texts); // padded to the longest text: the mask keeps padding out of the mean
        for (int i = 0; i < texts.Length; i++)
        {
            var expected = Expected(model, embedder.Tokenize(texts[i]));
            for (int h = 0; h < model.Hidden; h++) Assert.Equal(expected[h], batch[i][h], 5);
            Assert.Equal(embedder.Embed([texts[i]])[0], batch[i]);
        }

        var longText = string.Join(' ', Enumerable.Repeat("cocoa", 40));
        var ids = embedder.Tokenize(longText);
        Assert.Equal(16, ids.Length);
        Assert.Equal(3, ids[^1]); // [SEP] kept after truncation
    }

    [Fact]
    public async Task Embed_stage_runs_onnx_with_the_per_text_cache()
    {
        using var dir = new TempDir();
        var folder = new TinyBertModel().WriteFolder(Path.Combine(dir.Path, "tiny"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "items"));
        var titles = new[] { "dark chocolate bar", "green tea", "chef knife set" };
        async Task<Dictionary<string, string>> Inputs(string name, string[] t)
        {
            var itemsDir = Path.Combine(dir.Path, name);
            Directory.CreateDirectory(itemsDir);
            await ParquetArtifact.WriteAsync(t.Select((x, i) => new ItemRow { Item = $"i{i}", Domain = "food", Title = x, SourceFormat = "test" }),
                Path.Combine(itemsDir, "food.parquet"), new Dictionary<string, string>());
            return new() { ["items"] = itemsDir };
        }
        var p = new EmbedParams { Texts = [TextKind.Title], Embedder = new EmbedderParams { Kind = "onnx", ModelPath = folder, BatchSize = 2 } };
        var outputs = await DirectStage.RunAsync(new EmbedStage(), p, Path.Combine(dir.Path, "out"), await Inputs("a", titles), root: dir.Path, artifactsRoot: dir.Path);
        var rows = await ParquetArtifact.ReadAsync<EmbeddingRow>(outputs["embeddings"]);
        using (var embedder = new OnnxEmbedder(folder))
            Assert.Equal(embedder.Embed(["green tea"])[0], rows.Single(r => r.Item == "i1").Vector);

        titles[2] = "cast iron pan";
        var again = await DirectStage.RunAsync(new EmbedStage(), p, Path.Combine(dir.Path, "out2"), await Inputs("b", titles), root: dir.Path, artifactsRoot: dir.Path);
        var report = System.Text.Json.JsonSerializer.Deserialize<EmbedReport>(File.ReadAllText(again["report"]), CrossDomain.Stages.ReportJson.Options)!;
        Assert.Equal(1, report.Kinds[0].Embedded);
        Assert.Equal(2, report.Kinds[0].CacheHits);
    }
}
