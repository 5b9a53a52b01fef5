using CrossDomain.Engine.Run;
using CrossDomain.Tests.Llm;

namespace CrossDomain.Tests.Support;

/// <summary>The shipped pipeline.yaml, run in a temp folder with a copy of prompts/.</summary>
public static class DefaultPipeline
{
    public static async Task RunAsync(TempDir dir, IReadOnlyList<string> targets, params string[] overrides)
    {
        foreach (var f in Directory.GetFiles(Path.Combine(ExtractFixture.RepoRoot, "prompts")))
            dir.File(Path.Combine("prompts", Path.GetFileName(f)), File.ReadAllText(f));
        var harness = new PipelineHarness(dir, File.ReadAllText(Path.Combine(ExtractFixture.RepoRoot, "pipeline.yaml")));
        var result = await harness.RunAsync(new RunOptions { Targets = targets }, overrides);
        if (!result.Succeeded) throw new InvalidOperationException("the default pipeline failed: " + string.Join("; ", result.Stages.Select(s => s.ToString())));
    }
}
