using CrossDomain.Engine.Run;

namespace CrossDomain.Tests.Support;

/// <summary>The shipped pipeline.yaml, run in a temp folder with a copy of prompts/.</summary>
public static class DefaultPipeline
{
    /// <summary>The full-size synthetic data (pipelines/synthetic.yaml) and sequence length, on the default pipeline's stages.</summary>
    public static readonly string[] FullSizeData =
        ["stages.synthesize.params.users=1500", "stages.synthesize.params.items_per_domain=500", "defaults.sequences.max_len=100"];

    public static async Task RunAsync(TempDir dir, IReadOnlyList<string> targets, params string[] overrides)
    {
        Repo.CopyPrompts(dir);
        var harness = new PipelineHarness(dir, File.ReadAllText(Path.Combine(Repo.Root, "pipeline.yaml")));
        var result = await harness.RunAsync(new RunOptions { Targets = targets }, overrides);
        if (!result.Succeeded) throw new InvalidOperationException("the default pipeline failed: " + string.Join("; ", result.Stages.Select(s => s.ToString())));
    }
}
