using CrossDomain.Engine.Stages;

namespace CrossDomain.Benchmarks;

public sealed class BlobParams
{
    public int Megabytes { get; set; } = 100;
    public int Seed { get; set; }
}

/// <summary>Writes a file of pseudo-random bytes: stands in for a large artifact in the engine benchmark.</summary>
public sealed class BlobStage : StageKind<BlobParams>
{
    public override string Name => "blob";
    public override int Version => 1;
    public override string Description => "benchmark: writes N MB";
    public override IReadOnlyList<OutputSpec> Outputs(BlobParams p) => [new("data", "data.bin")];

    public override async Task RunAsync(StageContext ctx, BlobParams p, CancellationToken ct)
    {
        var rng = new Random(p.Seed);
        var buffer = new byte[1 << 20];
        await using var f = File.Create(ctx.Output("data"));
        for (int i = 0; i < p.Megabytes; i++)
        {
            rng.NextBytes(buffer);
            await f.WriteAsync(buffer, ct);
        }
    }
}
