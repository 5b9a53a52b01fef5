using CrossDomain.Engine.Run;

namespace CrossDomain.Tests.Support;

/// <summary>The shipped pipeline.yaml, run in a temp folder with a copy of prompts/.</summary>
public static class DefaultPipeline
{
    public static async Task RunAsync(TempDir dir, IReadOnlyList<string> targets, params string[] overrides)
    {
        Repo.CopyPrompts(dir);
        var harness = new PipelineHarness(dir, File.ReadAllText(Path.Combine(Repo.Root, "pipeline.yaml")));
        var result = await harness.RunAsync(new RunOptions { Targets = targets }, overrides);
        if (!result.Succeeded) throw new InvalidOperationException("the default pipeline failed: " + string.Join("; ", result.Stages.Select(s => s.ToString())));
    }
}
