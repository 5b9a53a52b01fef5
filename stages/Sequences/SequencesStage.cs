using System.Text.Json;
using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Ingest;

namespace CrossDomain.Stages.Sequences;

/// <summary>
/// sequences: interactions → per-user source, target and mixed sequences with leave-one-out targets, stable
/// item and user index maps, and dataset statistics (JSON and Markdown, in the layout of SemaCDR's Table 4).
/// </summary>
public sealed class SequencesStage : StageKind<SequencesParams>
{
    /// <summary>Parquet metadata key naming the protocol of the split (absent: target_loo).</summary>
    public const string ProtocolKey = "crossdomain.protocol";

    public override string Name => "sequences";
    public override int Version => 3;
    public override string Description => "Filtered cross-domain sequences (source, target, mixed) with leave-one-out splits (on the target domain, or on the merged sequence under mixed_loo).";

    public override IReadOnlyList<string> RequiredInputs(SequencesParams p) => ["interactions"];

    public override IEnumerable<(string Key, string Message)> CheckUpstream(SequencesParams p, IReadOnlyDictionary<string, IReadOnlyCollection<string>> upstream) =>
        Shared.DomainFacts.Check("source", p.Source, upstream).Concat(Shared.DomainFacts.Check("target", p.Target, upstream));

    public override IReadOnlyList<OutputSpec> Outputs(SequencesParams p) =>
    [
        new("sequences", "sequences.parquet"),
        new("item_index", "item_index.parquet"),
        new("user_index", "user_index.parquet"),
        new("stats", "stats.json"),
        new("stats_md", "stats.md"),
    ];

    public override async Task RunAsync(StageContext ctx, SequencesParams p, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var path = ctx.Input("interactions");
        var builder = new SequenceBuilder(p);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long rows = 0;
        using (var task = ctx.Progress.Start("reading interactions"))
            await foreach (var chunk in InteractionsReader.ReadAsync(path, ct))
            {
                for (int k = 0; k < chunk.Count; k++)
                {
                    var dom = chunk.Domains[k];
                    if (seen.Add(dom) && seen.Count > 64) throw new InvalidDataException($"{path}: more than 64 distinct domains; is this an interactions table?");
                    if (dom == p.Source) builder.Add(chunk.Users[k], chunk.Items[k], 0, chunk.Timestamps[k]);
                    else if (dom == p.Target) builder.Add(chunk.Users[k], chunk.Items[k], 1, chunk.Timestamps[k]);
                }
                rows += chunk.Count;
                task.Increment(chunk.Count);
            }
        foreach (var (key, dom) in new[] { ("source", p.Source), ("target", p.Target) })
            if (!seen.Contains(dom))
                throw new StageException($"params.{key}: domain '{dom}' has no interactions in {path}; domains there: {string.Join(", ", seen.Order())}");

        ctx.Progress.Verbose($"read {rows:N0} interactions in {clock.Elapsed.TotalSeconds:F1} s");
        var result = builder.Build();
        ctx.Progress.Verbose($"filtered and built sequences at {clock.Elapsed.TotalSeconds:F1} s");
        var metadata = await ParquetArtifact.ReadMetadataAsync(InteractionsReader.Parts(path)[0]);
        result.Stats.Synthetic = metadata.TryGetValue("crossdomain.synthetic", out var s) && s == "true";
        if (result.Rows.Count == 0)
            throw new StageException($"no user survives the filters ({p.Source} → {p.Target}: min_item_interactions {p.MinItemInteractions}, min_user_interactions {p.MinUserInteractions}); lower the thresholds");

        var meta = ctx.ArtifactMetadata.ToDictionary();
        meta["crossdomain.source"] = p.Source;
        meta["crossdomain.target"] = p.Target;
        if (result.Stats.Synthetic) meta["crossdomain.synthetic"] = "true";
        if (p.Protocol == EvaluationProtocol.MixedLoo) meta[ProtocolKey] = "mixed_loo"; // absent means target_loo (older artifacts)
        await ParquetArtifact.WriteAsync(result.Rows, ctx.Output("sequences"), meta, ct, rowGroupSize: 100_000);
        await ParquetArtifact.WriteAsync(result.Items, ctx.Output("item_index"), meta, ct);
        await ParquetArtifact.WriteAsync(result.Users, ctx.Output("user_index"), meta, ct);
        ctx.Progress.Verbose($"wrote tables at {clock.Elapsed.TotalSeconds:F1} s");
        await File.WriteAllTextAsync(ctx.Output("stats"), JsonSerializer.Serialize(result.Stats, ReportJson.Options), ct);
        await File.WriteAllTextAsync(ctx.Output("stats_md"), result.Stats.ToMarkdown(), ct);
        foreach (var d in result.Stats.Domains)
            ctx.Progress.Info($"{d.Domain} ({d.Role}): {d.OverlappedUsers:N0} users, {d.Items:N0} items, {d.Interactions:N0} interactions, avg length {d.AvgLength:F2}");
    }
}
