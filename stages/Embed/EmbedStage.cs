using System.Diagnostics;
using System.Text.Json;
using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Stages;
using CrossDomain.Providers.Caching;
using CrossDomain.Providers.Embedding;
using CrossDomain.Stages.Extract;
using CrossDomain.Stages.Ingest;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;

namespace CrossDomain.Stages.Embed;

/// <summary>
/// embed: per item, the configured texts (enriched description, title, summary) → fixed-size L2-normalised vectors,
/// as Parquet (item, domain, text kind, vector). <c>lsa</c> fits a TF-IDF + randomised-SVD projection on each text
/// kind's texts and saves it; <c>onnx</c> runs a sentence-transformers ONNX export in process; network embedders
/// (Ollama, OpenAI-compatible, Azure OpenAI) go through the shared resilience pipeline. onnx and network vectors go
/// through a per-text cache keyed by (embedder, model, text), so only changed texts are re-embedded.
/// </summary>
public sealed class EmbedStage : StageKind<EmbedParams>
{
    public override string Name => "embed";
    public override int Version => 1;
    public override string Description => "Sentence embeddings of item texts (lsa in process, or Ollama/OpenAI/Azure embeddings with a per-text cache).";

    public override IReadOnlyList<string> RequiredInputs(EmbedParams p) => p.NeedsSemantics ? ["items", "item_semantics"] : ["items"];

    public override IReadOnlyList<OutputSpec> Outputs(EmbedParams p) =>
    [
        new("embeddings", "embeddings.parquet"),
        new("projections", "projections", IsDirectory: true),
        new("report", "report.json", RunRecord: true), // timings of this run
    ];

    public override async Task RunAsync(StageContext ctx, EmbedParams p, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var (items, synthetic) = await ItemTextColumns.ReadAsync(ctx.Input("items"), ct);
        if (items.Count == 0) throw new StageException($"{ctx.Input("items")}: no items to embed");
        var semantics = p.NeedsSemantics
            ? (await ParquetArtifact.ReadAsync<ItemSemanticsRow>(ctx.Input("item_semantics"), ct)).ToDictionary(r => (r.Domain, r.Item))
            : [];
        var report = new EmbedReport { Embedder = p.Embedder.Kind, Synthetic = synthetic };
        var rows = new List<EmbeddingRow>();
        Directory.CreateDirectory(ctx.Output("projections"));
        var meta = ctx.ArtifactMetadata.ToDictionary();
        if (synthetic) meta["crossdomain.synthetic"] = "true";

        EmbeddingConnection? connection = null;
        OnnxEmbedder? onnx = null;
        CallCache? cache = null;
        try
        {
            IEmbeddingGenerator<string, Embedding<float>>? generator = null;
            string modelId = "";
            if (p.Embedder.IsNetwork)
            {
                try { connection = EmbeddingGeneratorFactory.Create(p.Embedder.ToOptions()); }
                catch (InvalidOperationException e) { throw new StageException($"params.embedder: {e.Message}"); }
                generator = connection.Generator;
                report.Model = modelId = p.Embedder.Model;
            }
            else if (p.Embedder.Kind == EmbedderParams.OnnxKind)
            {
                var folder = ctx.Resolve(p.Embedder.ModelPath!.Value);
                try { onnx = new OnnxEmbedder(folder); }
                catch (Exception e) when (e is FileNotFoundException or InvalidDataException or OnnxRuntimeException)
                {
                    throw new StageException($"params.embedder.model_path: {e.Message}");
                }
                generator = onnx;
                report.Model = Path.GetFileName(folder.TrimEnd('/'));
                modelId = onnx.ModelId; // the weights' hash: a new export re-embeds everything
            }
            if (generator is not null) cache = await CallCache.OpenAsync(Path.Combine(ctx.ArtifactsRoot, p.CacheDir), ct);
            foreach (var kind in p.Texts)
            {
                var kindClock = Stopwatch.StartNew();
                var texts = items.Select(i => TextOf(i, kind, semantics)).ToList();
                var missing = Enumerable.Range(0, items.Count).Where(i => texts[i] is null).ToList();
                var name = kind.ToString().ToLowerInvariant();
                if (missing.Count > 0 && p.MissingText == MissingTextPolicy.Fail)
                    throw new StageException($"{missing.Count} items have no {name} (first: {string.Join(", ", missing.Take(5).Select(i => items[i].Item))}); " +
                        "set missing_text: zero to embed them as zero vectors");
                var kindReport = new EmbedKindReport { TextKind = name, Items = items.Count, Missing = missing.Count };
                if (missing.Count == items.Count)
                {
                    // Nothing to fit or send (titles absent from the metadata, say): every item gets the zero vector
                    // with has_text false, as missing_text: zero promises, and the models see the view as empty.
                    ctx.Progress.Warn($"{name}: none of the {items.Count:N0} items has a {name}; skipped (zero vectors, has_text false)");
                    foreach (var item in items)
                        rows.Add(new EmbeddingRow { Item = item.Item, Domain = item.Domain, TextKind = name, HasText = false, Vector = [] });
                    kindReport.Skipped = true;
                    report.Kinds.Add(kindReport);
                    continue;
                }
                float[][] vectors;
                // LSA is one fit with no per-item progress: an indeterminate task, complete when it ends.
                using (var task = ctx.Progress.Start($"{name} embeddings", generator is null ? null : items.Count - missing.Count))
                    vectors = generator is null
                        ? await EmbedLsaAsync(p, name, texts, kindReport, ctx.Output("projections"), meta,
                            string.IsNullOrEmpty(p.Embedder.Lsa.Projection?.Value) ? null : ctx.Resolve(p.Embedder.Lsa.Projection.Value), ct)
                        : await EmbedCachedAsync(p, generator, modelId, cache!, texts, kindReport, task, ct);
                report.Dimensions = vectors.FirstOrDefault(v => v.Length > 0)?.Length ?? report.Dimensions;
                for (int i = 0; i < items.Count; i++)
                    rows.Add(new EmbeddingRow
                    {
                        Item = items[i].Item, Domain = items[i].Domain, TextKind = name, HasText = texts[i] is not null,
                        Vector = texts[i] is null ? new float[report.Dimensions] : vectors[i],
                    });
                kindReport.Seconds = kindClock.Elapsed.TotalSeconds;
                kindReport.TextsPerSecond = kindReport.Embedded / Math.Max(1e-9, kindReport.Seconds);
                report.Kinds.Add(kindReport);
                ctx.Progress.Info($"{name}: {kindReport.Items - kindReport.Missing:N0} texts, {kindReport.Missing:N0} missing, " +
                    $"{kindReport.Embedded:N0} embedded, {kindReport.CacheHits:N0} from the cache in {kindReport.Seconds:F1} s");
            }
            if (report.Dimensions == 0)
            {
                if (generator is not null) throw new StageException($"no item has any of the texts {string.Join(", ", p.Texts.Select(t => t.ToString().ToLowerInvariant()))}: nothing to embed");
                report.Dimensions = p.Embedder.Lsa.Dimensions;
            }
            foreach (var r in rows.Where(r => r.Vector.Length != report.Dimensions)) r.Vector = new float[report.Dimensions];
            report.Attempts = connection?.Counters.Attempts ?? 0;
            report.Retries = connection?.Counters.Retries ?? 0;
            report.Tokens = connection?.Usage.Tokens ?? 0;
            report.WallSeconds = clock.Elapsed.TotalSeconds;
            meta["crossdomain.embedder"] = report.Embedder + (report.Model.Length > 0 ? $" {report.Model}" : "");
            meta["crossdomain.dimensions"] = report.Dimensions.ToString();
            await ParquetArtifact.WriteAsync(rows, ctx.Output("embeddings"), meta, ct, rowGroupSize: 50_000);
            await File.WriteAllTextAsync(ctx.Output("report"), JsonSerializer.Serialize(report, ReportJson.Options), ct);
        }
        catch (Exception e) when (connection is not null && e is not StageException and not OperationCanceledException)
        {
            throw new StageException($"embedding with {p.Embedder.Kind} at {p.Embedder.Endpoint} failed; vectors received so far are cached. " +
                connection.Redact($"{e.GetType().Name}: {e.Message}"));
        }
        finally
        {
            connection?.Dispose();
            onnx?.Dispose();
            if (cache is not null)
            {
                await cache.CompactAsync(CancellationToken.None);
                cache.Dispose();
            }
        }
    }

    private static string? TextOf(ItemTextColumns item, TextKind kind, Dictionary<(string, string), ItemSemanticsRow> semantics)
    {
        var text = kind switch
        {
            TextKind.Title => item.Title,
            TextKind.Description => semantics.GetValueOrDefault((item.Domain, item.Item))?.Description,
            _ => semantics.GetValueOrDefault((item.Domain, item.Item))?.Summary,
        };
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    private static async Task<float[][]> EmbedLsaAsync(EmbedParams p, string kind, List<string?> texts, EmbedKindReport report,
        string projections, Dictionary<string, string> meta, string? savedProjections, CancellationToken ct)
    {
        var present = texts.Where(t => t is not null).Select(t => t!).ToList();
        var l = p.Embedder.Lsa;
        LsaModel model;
        if (savedProjections is not null)
            model = await LoadProjectionAsync(Path.Combine(savedProjections, $"lsa_{kind}.parquet"), ct);
        else
        try
        {
            model = LsaModel.Fit(present, new LsaOptions
            {
                Dimensions = l.Dimensions, VocabularySize = l.VocabularySize, MinDocumentFrequency = l.MinDocumentFrequency,
                PowerIterations = l.PowerIterations, Seed = l.Seed,
            });
        }
        catch (InvalidOperationException e) { throw new StageException($"texts '{kind}': {e.Message}"); }
        report.Vocabulary = model.Terms.Count;
        var vectors = new float[texts.Count][];
        Parallel.For(0, texts.Count, new ParallelOptions { CancellationToken = ct }, i => vectors[i] = texts[i] is { } t ? model.Embed(t) : []);
        report.Embedded = present.Count;
        // The fitted projection: the same terms, idf and loadings embed new texts consistently.
        var terms = model.Terms.Select((term, t) => new LsaTermRow
        {
            Term = term, Idf = model.Idf[t], Loadings = model.Components.AsSpan(t * model.Dimensions, model.Dimensions).ToArray(),
        });
        await ParquetArtifact.WriteAsync(terms, Path.Combine(projections, $"lsa_{kind}.parquet"), meta, ct);
        return vectors;
    }

    /// <summary>Reads a saved LSA projection (terms, idf, loadings) back into a model.</summary>
    public static async Task<LsaModel> LoadProjectionAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new StageException($"params.embedder.lsa.projection: {path} does not exist (an embed stage's projections/lsa_<kind>.parquet)");
        var terms = await ParquetArtifact.ReadAsync<LsaTermRow>(path, ct);
        if (terms.Count == 0) throw new StageException($"{path}: the projection has no terms");
        var d = terms[0].Loadings.Length;
        if (terms.Any(t => t.Loadings.Length != d)) throw new StageException($"{path}: terms have loadings of different lengths");
        return new LsaModel(terms.Select(t => t.Term).ToList(), terms.Select(t => t.Idf).ToArray(), terms.SelectMany(t => t.Loadings).ToArray(), d);
    }

    /// <summary>
    /// Network and onnx embedders, through the per-text cache as middleware (<see cref="CallCachingEmbeddingGenerator"/>)
    /// over L2 normalisation: the texts go in batches, and each batch's cache misses are one request.
    /// </summary>
    private static async Task<float[][]> EmbedCachedAsync(EmbedParams p, IEmbeddingGenerator<string, Embedding<float>> generator, string modelId,
        CallCache cache, List<string?> texts, EmbedKindReport report, Engine.Progress.IProgressTask progress, CancellationToken ct)
    {
        var e = p.Embedder;
        // One onnx session already uses every core: its batches go one at a time.
        var parallelism = e.Kind == EmbedderParams.OnnxKind ? 1 : e.Concurrency;
        // The cache key's provider as the embedder enum once spelled it (azureopenai), so that existing caches stay valid.
        var provider = e.Kind.Replace("_", "");
        int requests = 0;
        CallCachingEmbeddingGenerator? cached = null;
        // Not disposed: disposing middleware disposes the generator under it, which the stage owns and reuses.
        var pipeline = generator.AsBuilder()
            .Use(inner => cached = new CallCachingEmbeddingGenerator(inner, cache, provider, modelId))
            .Use((values, options, next, token) =>
            {
                Interlocked.Increment(ref requests);
                return next.GenerateAsync(values, options, token);
            })
            .Use(inner => new NormalizingEmbeddingGenerator(inner))
            .Build();
        var vectors = new float[texts.Count][];
        var present = new List<int>();
        for (int i = 0; i < texts.Count; i++)
            if (texts[i] is null) vectors[i] = [];
            else present.Add(i);
        var progressLock = new object();
        await Parallel.ForEachAsync(present.Chunk(e.BatchSize), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (batch, token) =>
        {
            var result = await pipeline.GenerateAsync(batch.Select(i => texts[i]!).ToList(), cancellationToken: token);
            if (result.Count != batch.Length)
                throw new InvalidDataException($"the embedder returned {result.Count} vectors for {batch.Length} texts");
            for (int k = 0; k < batch.Length; k++) vectors[batch[k]] = result[k].Vector.ToArray();
            lock (progressLock) progress.Increment(batch.Length);
        });
        report.CacheHits = (int)cached!.Hits;
        report.Embedded = (int)cached.Stored;
        report.Requests = requests;
        return vectors;
    }
}
