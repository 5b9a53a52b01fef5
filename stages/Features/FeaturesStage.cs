using System.Text.Json;
using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Hashing;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Embed;
using CrossDomain.Stages.Extract;
using CrossDomain.Stages.Sequences;

namespace CrossDomain.Stages.Features;

/// <summary>
/// features: sequences, index maps, item semantics, tag weights and embeddings → the tables the trainer reads:
/// <c>items.parquet</c> (per item index: label ids, tag ids and weights, embedding vectors, masks),
/// <c>users.parquet</c> (per user: training and test-time histories cut so that nothing leaks, and the
/// validation and test targets) and <c>manifest.json</c> (dimensions, vocabularies, counts, and the content hash
/// and producing stage fingerprint of every input).
/// </summary>
public sealed class FeaturesStage : StageKind<FeaturesParams>
{
    public override string Name => "features";
    public override int Version => 2;
    public override string Description => "Model-ready item and user tables with a manifest, joined from sequences, semantics, tags and embeddings.";

    private static readonly string[] Inputs = ["sequences", "item_index", "schema", "item_semantics", "item_labels", "tag_vocabulary", "item_tags", "embeddings"];

    public override IReadOnlyList<string> RequiredInputs(FeaturesParams p) => Inputs;

    public override IReadOnlyList<OutputSpec> Outputs(FeaturesParams p) =>
    [
        new("items", "items.parquet"),
        new("users", "users.parquet"),
        new("manifest", "manifest.json"),
    ];

    public override async Task RunAsync(StageContext ctx, FeaturesParams p, CancellationToken ct)
    {
        var index = await ParquetArtifact.ReadAsync<ItemIndexRow>(ctx.Input("item_index"), ct);
        var schema = await ParquetArtifact.ReadAsync<SchemaRow>(ctx.Input("schema"), ct);
        var semantics = (await ParquetArtifact.ReadAsync<ItemSemanticsRow>(ctx.Input("item_semantics"), ct)).ToDictionary(r => (r.Domain, r.Item));
        var labels = (await ParquetArtifact.ReadAsync<ItemLabelRow>(ctx.Input("item_labels"), ct)).ToLookup(r => (r.Domain, r.Item));
        var vocabulary = await ParquetArtifact.ReadAsync<TagRow>(ctx.Input("tag_vocabulary"), ct);
        var tags = (await ParquetArtifact.ReadAsync<ItemTagRow>(ctx.Input("item_tags"), ct)).ToLookup(r => (r.Domain, r.Item));
        var embeddings = (await ParquetArtifact.ReadAsync<EmbeddingRow>(ctx.Input("embeddings"), ct)).ToLookup(r => (r.Domain, r.Item));

        // Global label ids over the labels the outlier filter kept, in (category, label) order.
        var kept = schema.Where(r => r.Kept).OrderBy(r => r.CategoryIdx).ThenBy(r => r.LabelIdx).ToList();
        var labelId = kept.Select((r, id) => (r, id)).ToDictionary(x => (x.r.CategoryIdx, x.r.LabelIdx), x => x.id);
        var kinds = embeddings.SelectMany(g => g).Select(e => e.TextKind).Distinct().Order(StringComparer.Ordinal).ToList();
        var dims = kinds.ToDictionary(k => k, k => embeddings.SelectMany(g => g).First(e => e.TextKind == k).Vector.Length);
        var missing = new Dictionary<string, List<string>> { ["semantics"] = [], ["tags"] = [] };
        foreach (var k in kinds) missing[$"{k}_embedding"] = [];

        var items = new List<FeatureItemRow>(index.Count);
        foreach (var ix in index.OrderBy(i => i.ItemIdx))
        {
            var key = (ix.Domain, ix.Item);
            var row = new FeatureItemRow { ItemIdx = ix.ItemIdx, Item = ix.Item, Domain = ix.Domain, Role = ix.Role };
            row.HasSemantics = semantics.TryGetValue(key, out var sem) && sem.Status == "ok";
            if (row.HasSemantics)
                row.Labels = labels[key].Where(l => labelId.ContainsKey((l.CategoryIdx, l.LabelIdx)))
                    .Select(l => labelId[(l.CategoryIdx, l.LabelIdx)]).Order().ToArray();
            else missing["semantics"].Add(ix.Item);
            var itemTags = tags[key].ToList();
            row.HasTags = itemTags.Count > 0;
            if (row.HasTags)
            {
                row.Tags = itemTags.Select(t => t.TagIdx).ToArray();
                row.TagWeights = itemTags.Select(t => (float)t.Weight).ToArray();
            }
            else missing["tags"].Add(ix.Item);
            var vectors = embeddings[key].ToDictionary(e => e.TextKind);
            foreach (var k in kinds)
            {
                var has = vectors.TryGetValue(k, out var e) && e.HasText;
                if (!has) missing[$"{k}_embedding"].Add(ix.Item);
                var v = has ? e!.Vector : new float[dims[k]];
                switch (k)
                {
                    case "description": row.HasDescriptionEmbedding = has; row.DescriptionEmbedding = v; break;
                    case "title": row.HasTitleEmbedding = has; row.TitleEmbedding = v; break;
                    case "summary": row.HasSummaryEmbedding = has; row.SummaryEmbedding = v; break;
                }
            }
            items.Add(row);
        }
        if (p.Missing == MissingFeaturePolicy.Fail && missing.FirstOrDefault(m => m.Value.Count > 0) is { Key: not null } first)
            throw new StageException($"{first.Value.Count} items of the item index have no {first.Key.Replace('_', ' ')} " +
                $"(first: {string.Join(", ", first.Value.Take(5))}); set missing: zero to give them empty features and a false mask");

        var sequences = await ParquetArtifact.ReadAsync<SequenceRow>(ctx.Input("sequences"), ct);
        var seqMeta = await ParquetArtifact.ReadMetadataAsync(ctx.Input("sequences"));
        var protocol = seqMeta.GetValueOrDefault(SequencesStage.ProtocolKey) switch
        {
            null or "target_loo" => EvaluationProtocol.TargetLoo,
            "mixed_loo" => EvaluationProtocol.MixedLoo,
            var other => throw new StageException($"{ctx.Input("sequences")}: unknown protocol '{other}' in its metadata"),
        };
        var users = sequences.Select(s => HistorySplitter.Split(s, protocol)).ToList();

        var meta = ctx.ArtifactMetadata.ToDictionary();
        var semMeta = await ParquetArtifact.ReadMetadataAsync(ctx.Input("item_semantics"));
        foreach (var k in new[] { "crossdomain.source", "crossdomain.target", "crossdomain.synthetic", SequencesStage.ProtocolKey })
            if (seqMeta.TryGetValue(k, out var v)) meta[k] = v;
        await ParquetArtifact.WriteAsync(items, ctx.Output("items"), meta, ct, rowGroupSize: 50_000);
        await ParquetArtifact.WriteAsync(users, ctx.Output("users"), meta, ct, rowGroupSize: 50_000);

        var hasher = new ContentHasher();
        var manifest = new Dictionary<string, object?>
        {
            ["source"] = seqMeta.GetValueOrDefault("crossdomain.source"),
            ["target"] = seqMeta.GetValueOrDefault("crossdomain.target"),
            ["synthetic"] = seqMeta.GetValueOrDefault("crossdomain.synthetic") == "true",
            ["extractor"] = semMeta.GetValueOrDefault("crossdomain.extractor"),
            ["extractor_is_llm"] = semMeta.GetValueOrDefault("crossdomain.is_llm") == "true",
            ["users"] = users.Count,
            ["items"] = items.Count,
            ["items_by_role"] = items.GroupBy(i => i.Role).ToDictionary(g => g.Key, g => g.Count()),
            ["item_idx_range"] = new[] { 1, items.Count }, // 0 is padding
            ["label_vocabulary"] = kept.Select((r, id) => new { id, category_idx = r.CategoryIdx, category = r.Category, label = r.Label }).ToList(),
            ["categories"] = kept.Select(r => r.Category).Distinct().Count(),
            ["tag_vocabulary"] = vocabulary.OrderBy(t => t.TagIdx).Select(t => t.Tag).ToList(),
            ["embeddings"] = kinds.ToDictionary(k => k, k => new { dimensions = dims[k], missing = missing[$"{k}_embedding"].Count }),
            ["missing_policy"] = p.Missing.ToString().ToLowerInvariant(),
            ["missing"] = missing.ToDictionary(m => m.Key, m => m.Value.Count),
            ["inputs"] = Inputs.ToDictionary(name => name, name =>
            {
                var path = ctx.Input(name);
                var hash = hasher.TryHash(path);
                // Content, not the producer's fingerprint: a rerun that writes the same input must give the same manifest.
                string? producer = null;
                if (File.Exists(path) && path.EndsWith(".parquet", StringComparison.Ordinal))
                    producer = ParquetArtifact.ReadMetadataAsync(path).GetAwaiter().GetResult().GetValueOrDefault("crossdomain.stage");
                return new { path = Path.GetRelativePath(ctx.ProjectRoot, path), content_hash = hash?.Hash, stage = producer };
            }),
        };
        // Written only for mixed_loo, so that a target_loo manifest reads as before (the trainer's default).
        if (protocol == EvaluationProtocol.MixedLoo) manifest["protocol"] = CrossDomain.Trainer.Data.FeatureTables.MixedLoo;
        await File.WriteAllTextAsync(ctx.Output("manifest"), JsonSerializer.Serialize(manifest, ReportJson.Options), ct);
        ctx.Progress.Info($"{items.Count:N0} items ({missing["semantics"].Count} without semantics, {missing["tags"].Count} without tags), " +
            $"{users.Count:N0} users, {kept.Count} labels, {vocabulary.Count} tags, embeddings {string.Join(", ", kinds.Select(k => $"{k} {dims[k]}"))}");
    }
}
