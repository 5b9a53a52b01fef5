using CrossDomain.Engine.Graph;
using CrossDomain.Stages;

namespace CrossDomain.Tests.Engine;

/// <summary>The pipeline files in the repository load, validate and wire their stages as documented.</summary>
public class ShippedPipelinesTests
{
    private static readonly string RepoRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../.."));

    private static PipelineDefinition Load(string relative) => PipelineLoader.Load(Path.Combine(RepoRoot, relative), StageCatalog.CreateRegistry());

    [Fact]
    public void Default_pipeline_synthesizes_ingests_and_builds_both_directions()
    {
        var p = Load("pipeline.yaml");
        Assert.Equal(["synthesize", "ingest", "food_to_kitchen", "kitchen_to_food"], p.Stages.Select(s => s.Name));
        Assert.Equal(["synthesize.raw"], p.Find("ingest")!.Upstream.Select(u => u.Id));
        Assert.Equal(["ingest.interactions"], p.Find("kitchen_to_food")!.Upstream.Select(u => u.Id));
        Assert.Equal(Path.Combine(RepoRoot, "pipeline.lock"), p.LockPath);
    }

    [Fact]
    public void Real_data_pipeline_reads_shared_data_relative_to_the_repo_root()
    {
        var p = Load("pipelines/food-kitchen.yaml");
        Assert.Equal(RepoRoot, p.Root);
        Assert.Equal(Path.Combine(RepoRoot, "artifacts", "food-kitchen"), p.ArtifactsRoot);
        Assert.Equal(4, p.Find("ingest")!.Inputs.Count);
        Assert.All(p.Find("ingest")!.Inputs, i => Assert.Contains("shared/data/amazon2014-food-kitchen", i.Path));
    }

    [Fact]
    public void Download_pipeline_makes_ingest_depend_on_the_downloaded_files()
    {
        var p = Load("pipelines/amazon2014.yaml");
        var ingest = p.Find("ingest")!;
        Assert.Empty(ingest.Inputs); // the files do not exist yet: they are the download stage's outputs
        Assert.Equal(4, ingest.Upstream.Count(u => u.Stage == "download"));
        Assert.All(p.Find("download")!.Outputs.Values, o => Assert.True(o.Spec.WrittenInPlace));
    }
}
