using System.Diagnostics;
using System.Text.Json;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Ingest;
using CrossDomain.Stages.Sequences;
using CrossDomain.Stages.Synthesize;

namespace CrossDomain.Benchmarks;

/// <summary>
/// Ingest and sequences throughput and peak memory on synthetic raw files at scale. Each phase runs in its own
/// process so that its peak resident memory (VmHWM) is its own.
/// </summary>
public static class DataBenchmark
{
    public static void Run(long interactions, int items, string? keepDir)
    {
        var dir = keepDir ?? Directory.CreateTempSubdirectory("crossdomain-bench-data-").FullName;
        Directory.CreateDirectory(dir);
        try
        {
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB; data in {dir}");
            foreach (var phase in new[] { "generate", "ingest-reviews", "ingest-all", "sequences" })
            {
                var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
                // Started as "dotnet X.dll" the dll must be passed again; started through the apphost it must not.
                if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(typeof(DataBenchmark).Assembly.Location);
                foreach (var a in new[] { "phase", phase, dir, interactions.ToString(), items.ToString() }) psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                var output = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                Console.Write(output);
                if (p.ExitCode != 0) throw new InvalidOperationException($"phase {phase} failed");
            }
        }
        finally
        {
            if (keepDir is null) Directory.Delete(dir, recursive: true);
        }
    }

    public static async Task PhaseAsync(string phase, string dir, long interactions, int items)
    {
        var raw = Path.Combine(dir, "raw");
        var sw = Stopwatch.StartNew();
        string line;
        switch (phase)
        {
            case "generate":
                // The generator's mean activity is about 8.4 interactions per user per domain.
                var p = new SynthesizeParams { Seed = 1, Users = (int)(interactions / 16.9), ItemsPerDomain = items / 2, Days = 4000, Themes = 12 };
                var s = new SyntheticAmazonGenerator(p).Write(raw);
                var size = Directory.GetFiles(raw).Sum(f => new FileInfo(f).Length);
                line = $"generate        : {s.Interactions:N0} interactions, {s.Users:N0} users, {s.Items:N0} items, {size / 1e6:N0} MB gzip in {sw.Elapsed.TotalSeconds:F1} s";
                break;
            case "ingest-reviews":
            case "ingest-all":
                var withMeta = phase == "ingest-all";
                var ip = new IngestParams
                {
                    Domains = SyntheticAmazonGenerator.DomainNames.ToDictionary(d => d.ToLowerInvariant(), d => new DomainFiles
                    {
                        Files = (withMeta ? [SyntheticAmazonGenerator.ReviewsFile(d), SyntheticAmazonGenerator.MetaFile(d)] : new[] { SyntheticAmazonGenerator.ReviewsFile(d) })
                            .Select(f => new InputPath(Path.Combine(raw, f))).ToList(),
                    }),
                };
                var outDir = Path.Combine(dir, phase);
                var outputs = await BenchmarkStage.RunAsync(new IngestStage(), ip, outDir, progress: new ConsoleLog());
                var report = JsonDocument.Parse(File.ReadAllText(outputs["report"])).RootElement;
                var n = report.GetProperty("domains").EnumerateArray().Sum(d => d.GetProperty("interactions").GetInt64());
                var inputMb = ip.Domains.Values.SelectMany(d => d.Files).Sum(f => new FileInfo(f.Value).Length) / 1e6;
                line = $"{phase,-16}: {n:N0} interactions from {inputMb:N0} MB gzip in {sw.Elapsed.TotalSeconds:F1} s = {n / sw.Elapsed.TotalSeconds / 1e6:F2} M interactions/s (Parquet written included)";
                break;
            case "sequences":
                var sp = new SequencesParams { Source = "food", Target = "kitchen" };
                var so = await BenchmarkStage.RunAsync(new SequencesStage(), sp, Path.Combine(dir, "sequences"), new() { ["interactions"] = Path.Combine(dir, "ingest-all", "interactions") }, progress: new ConsoleLog());
                var stats = JsonDocument.Parse(File.ReadAllText(so["stats"])).RootElement;
                var input = stats.GetProperty("input_interactions").GetInt64();
                var users = stats.GetProperty("domains")[0].GetProperty("overlapped_users").GetInt32();
                line = $"sequences       : {input:N0} interactions in, {users:N0} users out, {sw.Elapsed.TotalSeconds:F1} s = {input / sw.Elapsed.TotalSeconds / 1e6:F2} M interactions/s";
                break;
            default: throw new ArgumentException($"unknown phase {phase}");
        }
        Console.WriteLine($"{line}; peak RSS {PeakRssMb():N0} MB");
    }


    /// <summary>Peak resident set size of this process (Linux VmHWM).</summary>
    private static double PeakRssMb()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:"));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }
}

/// <summary>Prints a stage's log lines (timings) during a benchmark phase.</summary>
internal sealed class ConsoleLog : CrossDomain.Engine.Progress.IProgressSink
{
    public CrossDomain.Engine.Progress.IProgressTask Start(string description, double? total = null) => CrossDomain.Engine.Progress.NullProgressSink.Instance.Start(description, total);
    public void Info(string message) => Console.WriteLine("    " + message);
    public void Warn(string message) => Console.WriteLine("    warning: " + message);
    public void Verbose(string message) => Console.WriteLine("    " + message);
}
