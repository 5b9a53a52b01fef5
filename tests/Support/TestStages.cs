using CrossDomain.Engine.Stages;

namespace CrossDomain.Tests.Support;

/// <summary>Small stage kinds for engine tests: they copy text around so outcomes are easy to check.</summary>
public sealed class ConcatParams
{
    public List<InputPath> Inputs { get; set; } = [];
    public InputPath? Prompt { get; set; }
    public string Suffix { get; set; } = "";
    public int Repeat { get; set; } = 1;
    /// <summary>Makes the stage throw after writing part of its output (simulated crash).</summary>
    public bool Fail { get; set; }
    /// <summary>Milliseconds to sleep before finishing (to be killed mid-stage).</summary>
    public int SleepMs { get; set; }
}

/// <summary>Writes the concatenation of its input files, upstream 'text' output and prompt, plus a suffix.</summary>
public sealed class ConcatStage : StageKind<ConcatParams>
{
    public static int Runs;
    public override string Name => "concat";
    public override int Version => 1;
    public override string Description => "test stage";
    public override IReadOnlyList<OutputSpec> Outputs(ConcatParams p) => [new("text", "text.txt")];

    public override async Task RunAsync(StageContext ctx, ConcatParams p, CancellationToken ct)
    {
        Interlocked.Increment(ref Runs);
        var sb = new System.Text.StringBuilder();
        foreach (var i in p.Inputs) sb.Append(File.ReadAllText(ctx.Resolve(i)));
        if (ctx.InputPaths.TryGetValue("text", out var up)) sb.Append(File.ReadAllText(up));
        if (p.Prompt is { } pr) sb.Append(File.ReadAllText(ctx.Resolve(pr)));
        for (int k = 0; k < p.Repeat; k++) sb.Append(p.Suffix);
        await File.WriteAllTextAsync(ctx.Output("text"), sb.ToString()[..(p.Fail ? sb.Length / 2 : sb.Length)], ct);
        if (p.SleepMs > 0) await Task.Delay(p.SleepMs, ct);
        if (p.Fail) throw new StageException("simulated failure");
    }
}

/// <summary>Like concat but reads the upstream 'text' output through RequiredInputs.</summary>
public sealed class AppendStage : StageKind<ConcatParams>
{
    public override string Name => "append";
    public override int Version => 1;
    public override string Description => "test stage reading upstream text";
    public override IReadOnlyList<string> RequiredInputs(ConcatParams p) => ["text"];
    public override IReadOnlyList<OutputSpec> Outputs(ConcatParams p) => [new("text", "text.txt")];
    public override Task RunAsync(StageContext ctx, ConcatParams p, CancellationToken ct) => new ConcatStage().RunAsync(ctx, p, ct);
}

/// <summary>Like concat, plus a run record holding the time of the run (different bytes on every run).</summary>
public sealed class StampedStage : StageKind<ConcatParams>
{
    public override string Name => "stamped";
    public override int Version => 1;
    public override string Description => "test stage with a run record";
    public override IReadOnlyList<OutputSpec> Outputs(ConcatParams p) => [new("text", "text.txt"), new("run", "run.json", RunRecord: true)];

    public override async Task RunAsync(StageContext ctx, ConcatParams p, CancellationToken ct)
    {
        await new ConcatStage().RunAsync(ctx, p, ct);
        await File.WriteAllTextAsync(ctx.Output("run"), $"{{\"ran_at_ticks\": {DateTime.UtcNow.Ticks}, \"guid\": \"{Guid.NewGuid()}\"}}", ct);
    }
}

public static class TestRegistry
{
    public static StageRegistry Create() => CrossDomain.Stages.StageCatalog.CreateRegistry()
        .Register(new ConcatStage()).Register(new AppendStage()).Register(new StampedStage());
}
