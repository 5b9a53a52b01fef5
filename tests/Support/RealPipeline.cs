using CrossDomain.Engine.Run;

namespace CrossDomain.Tests.Support;

/// <summary>The shipped pipelines/food-kitchen.yaml on the shared real data, run in a temp folder.</summary>
public static class RealPipeline
{
    public static async Task RunAsync(TempDir dir, IReadOnlyList<string> targets, params string[] overrides)
    {
        Assert.True(Directory.Exists(RealData.Dir), $"real data not found at {RealData.Dir}: the tests expect ../shared/data beside the repository");
        Repo.CopyPrompts(dir);
        var harness = new PipelineHarness(dir, File.ReadAllText(Path.Combine(Repo.Root, "pipelines", "food-kitchen.yaml")));
        var result = await harness.RunAsync(new RunOptions { Targets = targets }, ["root=.", $"vars.data={RealData.Dir}", .. overrides]);
        if (!result.Succeeded) throw new InvalidOperationException("the food-kitchen pipeline failed: " + string.Join("; ", result.Stages.Select(s => s.ToString())));
    }
}
