using CrossDomain.Engine.Progress;
using CrossDomain.Engine.Stages;

namespace CrossDomain.Tests.Support;

/// <summary>Runs one stage kind outside a pipeline, writing its outputs under a folder.</summary>
public static class DirectStage
{
    public static async Task<Dictionary<string, string>> RunAsync<TParams>(StageKind<TParams> kind, TParams parameters, string outDir,
        Dictionary<string, string>? inputs = null, IProgressSink? progress = null, string root = "/", string? artifactsRoot = null,
        CancellationToken cancellationToken = default) where TParams : class, new()
    {
        var outputs = new Dictionary<string, string>();
        foreach (var spec in kind.Outputs(parameters))
        {
            var path = spec.WrittenInPlace && spec.DefaultPath is not null ? Path.Combine(root, spec.DefaultPath) : Path.Combine(outDir, spec.FileName);
            Directory.CreateDirectory(spec.IsDirectory ? path : Path.GetDirectoryName(path)!);
            outputs[spec.Name] = path;
        }
        var ctx = new StageContext
        {
            StageName = kind.Name, KindName = kind.Name, Fingerprint = "test", ProjectRoot = root, OutputPaths = outputs,
            ArtifactsRoot = artifactsRoot ?? outDir,
            InputPaths = inputs ?? [], Progress = progress ?? NullProgressSink.Instance,
        };
        await kind.RunAsync(ctx, parameters, cancellationToken);
        return outputs;
    }
}
