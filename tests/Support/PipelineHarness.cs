using CrossDomain.Engine.Graph;
using CrossDomain.Engine.Hashing;
using CrossDomain.Engine.Lock;
using CrossDomain.Engine.Progress;
using CrossDomain.Engine.Run;

namespace CrossDomain.Tests.Support;

/// <summary>Loads and runs a pipeline file in a temp folder with the test registry.</summary>
public sealed class PipelineHarness(TempDir dir, string yaml, string name = "pipeline.yaml")
{
    public string ConfigPath { get; } = dir.File(name, yaml);

    public PipelineDefinition Load(params string[] overrides) => PipelineLoader.Load(ConfigPath, TestRegistry.Create(), overrides);

    public async Task<RunResult> RunAsync(RunOptions? options = null, params string[] overrides)
    {
        var pipeline = Load(overrides);
        return await new PipelineRunner(pipeline, new RecordingProgressSink()).RunAsync(options ?? new RunOptions(), CancellationToken.None);
    }

    public IReadOnlyList<StageStatus> Status(params string[] overrides)
    {
        var pipeline = Load(overrides);
        var hasher = new ContentHasher(new PipelineRunner(pipeline, NullProgressSink.Instance).StatePath);
        return new StatusEvaluator(pipeline, LockFile.Open(pipeline), hasher).EvaluateAll(pipeline.Stages);
    }

    public StageStatus Status(string stage, params string[] overrides) => Status(overrides).Single(s => s.Stage == stage);
}
