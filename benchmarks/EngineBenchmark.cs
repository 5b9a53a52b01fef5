using System.Diagnostics;
using System.Text;
using CrossDomain.Engine.Graph;
using CrossDomain.Engine.Hashing;
using CrossDomain.Engine.Lock;
using CrossDomain.Engine.Progress;
using CrossDomain.Engine.Run;

namespace CrossDomain.Benchmarks;

/// <summary>
/// Engine time of <c>status</c> and a no-op <c>run all</c> on an up-to-date pipeline of N stages holding
/// about 1 GB of artifacts, measured in process (so .NET start-up is excluded; the first, JIT-cold
/// iteration is reported separately).
/// </summary>
public static class EngineBenchmark
{
    public static async Task RunAsync(int stages, int totalMb, int repeats)
    {
        var dir = Directory.CreateTempSubdirectory("crossdomain-bench-engine-").FullName;
        try
        {
            var yaml = new StringBuilder("stages:\n");
            for (int i = 0; i < stages; i++)
            {
                yaml.Append($"  s{i}:\n    uses: blob\n    params: {{ megabytes: {totalMb / stages}, seed: {i} }}\n");
                if (i > 0) yaml.Append($"    deps: [s{i - 1}]\n");
            }
            var config = Path.Combine(dir, "pipeline.yaml");
            File.WriteAllText(config, yaml.ToString());
            var registry = Stages.StageCatalog.CreateRegistry().Register(new BlobStage());
            var setup = Stopwatch.StartNew();
            var first = await new PipelineRunner(PipelineLoader.Load(config, registry), NullProgressSink.Instance).RunAsync(new RunOptions(), CancellationToken.None);
            if (!first.Succeeded) throw new InvalidOperationException("setup run failed");
            var bytes = Directory.EnumerateFiles(Path.Combine(dir, "artifacts"), "*.bin", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"setup: {stages} stages, {bytes / 1e9:F2} GB of artifacts written and hashed in {setup.Elapsed.TotalSeconds:F1} s");

            var statusTimes = new List<double>();
            var runTimes = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                var sw = Stopwatch.StartNew();
                var pipeline = PipelineLoader.Load(config, registry);
                var hasher = new ContentHasher(new PipelineRunner(pipeline, NullProgressSink.Instance).StatePath);
                var statuses = new StatusEvaluator(pipeline, LockFile.Open(pipeline), hasher).EvaluateAll(pipeline.Stages);
                statusTimes.Add(sw.Elapsed.TotalMilliseconds);
                if (statuses.Any(s => s.State != StageState.Fresh) || hasher.BytesRead > 0) throw new InvalidOperationException("expected every stage fresh without reading contents");

                sw.Restart();
                var noop = await new PipelineRunner(PipelineLoader.Load(config, registry), NullProgressSink.Instance).RunAsync(new RunOptions(), CancellationToken.None);
                runTimes.Add(sw.Elapsed.TotalMilliseconds);
                if (noop.Stages.Any(s => s.Outcome != StageOutcome.UpToDate)) throw new InvalidOperationException("no-op run ran something");
            }
            Console.WriteLine($"status          : first (JIT-cold) {statusTimes[0]:F1} ms, then median {Median(statusTimes.Skip(1)):F1} ms");
            Console.WriteLine($"run all (no-op) : first (JIT-cold) {runTimes[0]:F1} ms, then median {Median(runTimes.Skip(1)):F1} ms");

            // After a touch (mtime changes, content does not) each file is re-read once to confirm its hash.
            foreach (var f in Directory.EnumerateFiles(Path.Combine(dir, "artifacts"), "*.bin", SearchOption.AllDirectories)) File.SetLastWriteTimeUtc(f, DateTime.UtcNow);
            var touched = Stopwatch.StartNew();
            var p2 = PipelineLoader.Load(config, registry);
            var h2 = new ContentHasher(new PipelineRunner(p2, NullProgressSink.Instance).StatePath);
            new StatusEvaluator(p2, LockFile.Open(p2), h2).EvaluateAll(p2.Stages);
            h2.Save();
            Console.WriteLine($"status after touching every artifact (re-hash {h2.BytesRead / 1e9:F2} GB): {touched.Elapsed.TotalMilliseconds:F0} ms");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    internal static double Median(IEnumerable<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count == 0 ? double.NaN : s[s.Count / 2];
    }
}
