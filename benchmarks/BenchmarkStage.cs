using CrossDomain.Engine.Progress;
using CrossDomain.Engine.Stages;

namespace CrossDomain.Benchmarks;

/// <summary>Runs one stage kind outside a pipeline (no fingerprints, no lock), for timing it alone.</summary>
public static class BenchmarkStage
{
    public static async Task<Dictionary<string, string>> RunAsync<T>(StageKind<T> kind, T parameters, string outDir,
        Dictionary<string, string>? inputs = null, string projectRoot = "/", string? artifactsRoot = null, IProgressSink? progress = null)
        where T : class, new()
    {
        Directory.CreateDirectory(outDir);
        var outputs = kind.Outputs(parameters).ToDictionary(o => o.Name, o => Path.Combine(outDir, o.FileName));
        var ctx = new StageContext
        {
            StageName = kind.Name, KindName = kind.Name, Fingerprint = "bench", ProjectRoot = projectRoot, ArtifactsRoot = artifactsRoot ?? outDir,
            OutputPaths = outputs, InputPaths = inputs ?? [], Progress = progress ?? NullProgressSink.Instance,
        };
        await kind.RunAsync(ctx, parameters, CancellationToken.None);
        return outputs;
    }

    /// <summary>The repository root (the folder holding CrossDomain.sln) above the benchmark's binaries.</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "CrossDomain.sln"))) return d.FullName;
        throw new InvalidOperationException("run the benchmarks from inside the repository");
    }
}
