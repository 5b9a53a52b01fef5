using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Stages;
using CrossDomain.FakeServers;
using CrossDomain.Providers.Embedding;
using CrossDomain.Stages.Embed;
using CrossDomain.Stages.Extract;
using CrossDomain.Stages.Ingest;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Embed;

/// <summary>The embed stage: lsa with its saved projection, a network embedder with its per-text cache, missing texts.</summary>
public sealed class EmbedStageTests
{
    private static async Task<(TempDir Dir, Dictionary<string, string> Inputs)> InputsAsync(params (string Item, string Domain, string? Title, string? Description)[] items)
    {
        var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "items"));
        await ParquetArtifact.WriteAsync(items.Select(i => new ItemRow { Item = i.Item, Domain = i.Domain, Title = i.Title, SourceFormat = "test" }),
            Path.Combine(dir.Path, "items", "all.parquet"), new Dictionary<string, string>());
        await ParquetArtifact.WriteAsync(items.Select(i => new ItemSemanticsRow { Item = i.Item, Domain = i.Domain, Status = "ok", Description = i.Description }),
            Path.Combine(dir.Path, "item_semantics.parquet"), new Dictionary<string, string>());
        return (dir, new() { ["items"] = Path.Combine(dir.Path, "items"), ["item_semantics"] = Path.Combine(dir.Path, "item_semantics.parquet") });
    }

    private static readonly (string, string, string?, string?)[] Items =
    [
        ("a", "food", "dark chocolate bar", "A bar of dark chocolate with cocoa."),
        ("b", "food", "milk chocolate bar", "Milk chocolate bar, sweet cocoa."),
        ("c", "food", "green tea", null),
        ("d", "kitchen", "steel chef knife", "A sharp steel kitchen knife."),
        ("e", "kitchen", "kitchen knife set", "A set of steel kitchen knives."),
    ];

    [Fact]
    public async Task A_text_kind_that_no_item_has_is_skipped_with_a_warning_as_zero_vectors()
    {
        var (dir, inputs) = await InputsAsync(Items.Select(i => (i.Item1, i.Item2, (string?)null, i.Item4)).ToArray());
        using var _ = dir;
        var p = new EmbedParams { Embedder = new EmbedderParams { Lsa = new LsaParams { Dimensions = 3, MinDocumentFrequency = 1 } } };
        var log = new CrossDomain.Engine.Progress.RecordingProgressSink();
        var outputs = await DirectStage.RunAsync(new EmbedStage(), p, Path.Combine(dir.Path, "out"), inputs, log, root: dir.Path);
        Assert.Contains(log.Lines, w => w.StartsWith("warn: title: none of the 5 items has a title; skipped"));
        var rows = await ParquetArtifact.ReadAsync<EmbeddingRow>(outputs["embeddings"]);
        var titles = rows.Where(r => r.TextKind == "title").ToList();
        Assert.Equal(5, titles.Count);
        Assert.All(titles, r => { Assert.False(r.HasText); Assert.Equal(new float[3], r.Vector); });
        Assert.Equal(4, rows.Count(r => r.TextKind == "description" && r.HasText));
        var report = System.Text.Json.JsonSerializer.Deserialize<EmbedReport>(File.ReadAllText(outputs["report"]), CrossDomain.Stages.ReportJson.Options)!;
        Assert.True(report.Kinds.Single(k => k.TextKind == "title").Skipped);
    }

    [Fact]
    public async Task Lsa_embeds_every_text_kind_and_saves_a_projection_that_reproduces_the_vectors()
    {
        var (dir, inputs) = await InputsAsync(Items);
        using var _ = dir;
        var p = new EmbedParams { Embedder = new EmbedderParams { Lsa = new LsaParams { Dimensions = 3, MinDocumentFrequency = 1 } } };
        var outputs = await DirectStage.RunAsync(new EmbedStage(), p, Path.Combine(dir.Path, "out"), inputs, root: dir.Path);
        var rows = await ParquetArtifact.ReadAsync<EmbeddingRow>(outputs["embeddings"]);
        Assert.Equal(10, rows.Count); // 5 items x (description, title)
        var missing = rows.Single(r => r.Item == "c" && r.TextKind == "description");
        Assert.False(missing.HasText);
        Assert.All(missing.Vector, x => Assert.Equal(0f, x));
        Assert.All(rows.Where(r => r.HasText), r => Assert.Equal(1.0, Math.Sqrt(r.Vector.Sum(x => (double)x * x)), 5));

        var terms = await ParquetArtifact.ReadAsync<LsaTermRow>(Path.Combine(outputs["projections"], "lsa_title.parquet"));
        var reloaded = new LsaModel(terms.Select(t => t.Term).ToList(), terms.Select(t => t.Idf).ToArray(), terms.SelectMany(t => t.Loadings).ToArray(), 3);
        Assert.Equal(rows.Single(r => r.Item == "d" && r.TextKind == "title").Vector, reloaded.Embed("steel chef knife"));

        // A saved projection embeds other texts in the same space, without refitting.
        var (dir2, inputs2) = await InputsAsync(("z", "food", "steel chef knife", "A sharp steel kitchen knife."));
        using var __ = dir2;
        var reuse = new EmbedParams { Embedder = new EmbedderParams { Lsa = new LsaParams { Dimensions = 3, Projection = outputs["projections"] } } };
        var reused = await DirectStage.RunAsync(new EmbedStage(), reuse, Path.Combine(dir2.Path, "out"), inputs2, root: dir2.Path);
        var z = (await ParquetArtifact.ReadAsync<EmbeddingRow>(reused["embeddings"])).Single(r => r.TextKind == "title");
        Assert.Equal(rows.Single(r => r.Item == "d" && r.TextKind == "title").Vector, z.Vector);

        p.MissingText = MissingTextPolicy.Fail;
        var e = await Assert.ThrowsAsync<StageException>(() => DirectStage.RunAsync(new EmbedStage(), p, Path.Combine(dir.Path, "out2"), inputs, root: dir.Path));
        Assert.Contains("1 items have no description (first: c)", e.Message);
    }

    [Fact]
    public async Task A_network_embedder_caches_per_text_and_re_embeds_only_changed_texts()
    {
        var (dir, inputs) = await InputsAsync(Items);
        using var _ = dir;
        using var server = new FakeLlmServer(FakeLlmOracle.Answer) { EmbeddingDimensions = 6 };
        var p = new EmbedParams
        {
            Texts = [TextKind.Title],
            Embedder = new EmbedderParams { Kind = "ollama", Model = "nomic", Endpoint = server.BaseUri.ToString(), BatchSize = 2, RetryBaseDelaySeconds = 0.01 },
        };
        var outputs = await DirectStage.RunAsync(new EmbedStage(), p, Path.Combine(dir.Path, "out"), inputs, root: dir.Path, artifactsRoot: dir.Path);
        Assert.Equal(3, server.EmbeddingRequests); // 5 titles in batches of 2
        var rows = await ParquetArtifact.ReadAsync<EmbeddingRow>(outputs["embeddings"]);
        Assert.Equal(server.Vector("steel chef knife"), rows.Single(r => r.Item == "d").Vector); // the fake's vectors are unit length already

        await DirectStage.RunAsync(new EmbedStage(), p, Path.Combine(dir.Path, "out2"), inputs, root: dir.Path, artifactsRoot: dir.Path);
        Assert.Equal(3, server.EmbeddingRequests); // all five from the cache

        var changed = Items.Select(i => i.Item1 == "e" ? (i.Item1, i.Item2, "kitchen knife block", i.Item4) : i).ToArray();
        var (dir2, inputs2) = await InputsAsync(changed);
        using var __ = dir2;
        var outputs3 = await DirectStage.RunAsync(new EmbedStage(), p, Path.Combine(dir2.Path, "out"), inputs2, root: dir2.Path, artifactsRoot: dir.Path);
        Assert.Equal(4, server.EmbeddingRequests); // one new title, one request
        var report = System.Text.Json.JsonSerializer.Deserialize<EmbedReport>(File.ReadAllText(outputs3["report"]), CrossDomain.Stages.ReportJson.Options)!;
        Assert.Equal(1, report.Kinds[0].Embedded);
        Assert.Equal(4, report.Kinds[0].CacheHits);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("azure_openai")]
    public async Task Openai_and_azure_embeddings_endpoints_are_spoken_too(string kind)
    {
        var (dir, inputs) = await InputsAsync(Items);
        using var _ = dir;
        using var server = new FakeLlmServer(FakeLlmOracle.Answer) { EmbeddingDimensions = 4 };
        Environment.SetEnvironmentVariable("CROSSDOMAIN_TEST_EMBED_KEY", "k-123456");
        var p = new EmbedParams
        {
            Texts = [TextKind.Title],
            Embedder = new EmbedderParams
            {
                Kind = kind, Model = "text-embedding-3-small", BatchSize = 10, ApiKeyEnv = "CROSSDOMAIN_TEST_EMBED_KEY",
                Endpoint = kind == "openai" ? new Uri(server.BaseUri, "v1").ToString() : server.BaseUri.ToString(),
            },
        };
        var outputs = await DirectStage.RunAsync(new EmbedStage(), p, Path.Combine(dir.Path, "out"), inputs, root: dir.Path, artifactsRoot: dir.Path);
        Assert.Equal(1, server.EmbeddingRequests);
        var rows = await ParquetArtifact.ReadAsync<EmbeddingRow>(outputs["embeddings"]);
        Assert.Equal(server.Vector("green tea"), rows.Single(r => r.Item == "c").Vector);
        // The generator's usage middleware reads the tokens the server reports (one per text here).
        var report = System.Text.Json.JsonSerializer.Deserialize<EmbedReport>(File.ReadAllText(outputs["report"]), CrossDomain.Stages.ReportJson.Options)!;
        Assert.Equal(rows.Count(r => r.HasText), report.Tokens);
    }
}
