using CrossDomain.Engine.Stages;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;

namespace CrossDomain.Stages.Negatives;

/// <summary>
/// negatives: the sampled protocol's candidates, drawn once per seed from a features folder and saved
/// (<c>seed_&lt;s&gt;.parquet</c>), so that every model of a direction is scored against the same items. Each file
/// carries the hash of the users table it was drawn for; a train stage refuses negatives of other features.
/// </summary>
public sealed class NegativesStage : StageKind<NegativesParams>
{
    public override string Name => "negatives";
    public override int Version => 1;
    public override string Description => "Sampled-protocol negatives per seed (uniform, without replacement, outside the user's target history), saved for every model.";

    public override IReadOnlyList<string> RequiredInputs(NegativesParams p) => ["items", "users", "manifest"];

    public override IReadOnlyList<OutputSpec> Outputs(NegativesParams p) => [new("negatives", "negatives", IsDirectory: true)];

    public override async Task RunAsync(StageContext ctx, NegativesParams p, CancellationToken ct)
    {
        var tables = await FeatureTables.LoadAsync(ctx.Input("items"), ctx.Input("users"), ctx.Input("manifest"), ct);
        var folder = new NegativesFolder(ctx.Output("negatives"));
        Directory.CreateDirectory(folder.Path);
        using var task = ctx.Progress.Start("drawing negatives", p.Seeds.Count);
        foreach (var seed in p.Seeds)
        {
            ct.ThrowIfCancellationRequested();
            await folder.SaveAsync(SampledNegatives.Draw(tables, p.Count, seed), seed, ctx.Input("users"), ctx.ArtifactMetadata, ct);
            task.Increment(1);
        }
        ctx.Progress.Info($"{p.Count} negatives per user and split for {tables.Users.Count:N0} users, seeds {string.Join(", ", p.Seeds)}");
    }
}
