using System.Diagnostics;
using System.Text.Json;
using CrossDomain.Engine.Artifacts;
using CrossDomain.FakeServers;
using CrossDomain.Stages.Extract;
using CrossDomain.Stages.Ingest;

namespace CrossDomain.Benchmarks;

/// <summary>
/// The extract stage's figures: LLM-call throughput against a local fake server with a fixed latency L and
/// concurrency C (ideal C/L), a fully cached rerun over the 28,095 real Food-Kitchen items, and the offline
/// extractor over the same items. Both reruns go through the real CLI in a fresh process.
/// </summary>
public static class ExtractBenchmark
{
    private static readonly string RepoRoot = BenchmarkStage.RepoRoot();

    public static async Task RunAsync(int items, int latencyMs, int concurrency, int endpoints, bool throughputOnly, string dataDir, string? keep)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB");
        var dir = keep ?? Directory.CreateTempSubdirectory("crossdomain-bench-extract-").FullName;
        Directory.CreateDirectory(dir);
        try
        {
            if (items > 0) await ThroughputAsync(dir, items, latencyMs, concurrency, endpoints);
            if (!throughputOnly) await RealDataAsync(dir, Path.GetFullPath(dataDir));
        }
        finally { if (keep is null) Directory.Delete(dir, recursive: true); }
    }

    /// <summary>Calls per second through <paramref name="endpoints"/> fake servers of latency L, each taking C calls at once (llm.endpoints beyond the first).</summary>
    private static async Task ThroughputAsync(string dir, int items, int latencyMs, int concurrency, int endpoints)
    {
        var itemsDir = Path.Combine(dir, "items");
        Directory.CreateDirectory(itemsDir);
        foreach (var domain in new[] { "food", "kitchen" })
            await ParquetArtifact.WriteAsync(Enumerable.Range(0, items / 2).Select(i => new ItemRow
            {
                Item = $"{domain}-{i:D6}", Domain = domain, Title = $"{domain} item number {i}", Categories = [$"{domain} > shelf {i % 17}"], SourceFormat = "bench",
            }), Path.Combine(itemsDir, $"{domain}.parquet"), new Dictionary<string, string>());
        var servers = Enumerable.Range(0, endpoints).Select(_ => new FakeLlmServer(r => FakeLlmOracle.Answer(r) with { DelayMs = latencyMs }, workers: concurrency * 2)).ToList();
        using var cleanup = new Disposables(servers);
        var server = servers[0];
        var p = new ExtractParams
        {
            Llm = new LlmParams
            {
                Provider = "ollama", Model = "bench", Endpoint = server.BaseUri.ToString(), Concurrency = concurrency,
                Endpoints = endpoints > 1 ? [.. servers.Skip(1).Select(s => new PoolEndpoint { Endpoint = s.BaseUri.ToString() })] : null,
            },
            Samples = 1, SchemaQueries = 3, TagQueries = 3, Categories = 4, TagsPerDomain = 7, CacheDir = "cache",
        };
        // The estimate first (sends nothing): its call count must equal the calls the run then makes.
        var estimate = await ExtractStage.EstimateCallsAsync(new CrossDomain.Engine.Stages.StageContext
        {
            StageName = "extract", KindName = "extract", Fingerprint = "bench", ProjectRoot = RepoRoot, ArtifactsRoot = dir,
            OutputPaths = new Dictionary<string, string>(), InputPaths = new Dictionary<string, string> { ["items"] = itemsDir },
        }, p, default);
        var clock = Stopwatch.StartNew();
        var outputs = await BenchmarkStage.RunAsync(new ExtractStage(), p, Path.Combine(dir, "out"), new() { ["items"] = itemsDir }, RepoRoot, dir);
        var seconds = clock.Elapsed.TotalSeconds;
        var report = JsonDocument.Parse(File.ReadAllText(outputs["report"])).RootElement;
        var calls = report.GetProperty("calls").GetInt64();
        var ideal = concurrency * 1000.0 / latencyMs;
        Console.WriteLine($"throughput      : {items:N0} items, {calls:N0} calls, {endpoints} endpoint(s), L = {latencyMs} ms, C = {concurrency} each: " +
            $"{calls / seconds:F0} calls/s in {seconds:F1} s = {calls / seconds / ideal:F2} × C/L (C/L = {ideal:F0} calls/s); " +
            $"calls per endpoint {string.Join(", ", servers.Select(x => x.ChatRequests))}; peak in flight {string.Join(", ", servers.Select(x => x.PeakConcurrency))}");
        Console.WriteLine($"estimate        : {estimate.Calls:N0} calls estimated before the run, {calls:N0} made: {(estimate.Calls == calls ? "equal" : "DIFFERENT")}; " +
            $"{estimate.PromptTokens:N0} prompt tokens counted with {estimate.Tokenizer}");
    }

    private sealed class Disposables(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var d in items) d.Dispose();
        }
    }

    private static async Task RealDataAsync(string dir, string dataDir)
    {
        using var server = new FakeLlmServer(FakeLlmOracle.Answer, workers: 32);
        var artifacts = Path.Combine(dir, "real");
        var config = Path.Combine(dir, "real.yaml");
        File.WriteAllText(config, $$"""
            root: {{RepoRoot}}
            artifacts: {{artifacts}}
            stages:
              ingest:
                uses: ingest
                params:
                  domains:
                    food: { files: [ "{{dataDir}}/meta_Grocery_and_Gourmet_Food.json.gz" ] }
                    kitchen: { files: [ "{{dataDir}}/meta_Home_and_Kitchen.json.gz" ] }
              extract:
                uses: extract
                deps: [ ingest.items ]
                params:
                  schema_file: prompts/food-kitchen-schema.yaml
                  llm: { provider: ollama, model: bench, endpoint: "{{server.BaseUri}}", concurrency: 16 }
            """);
        var fill = Cli(config, "run", "all");
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(artifacts, "extract", "report.json"))).RootElement;
        Console.WriteLine($"cache fill      : {report.GetProperty("items").GetInt32():N0} items, {report.GetProperty("calls").GetInt64():N0} calls at L = 0 in {fill.TotalSeconds:F1} s");
        // Without the result memo: every cached answer is validated and voted again (the fill run wrote the memo).
        var memo = Path.Combine(artifacts, ".cache", "llm", ResultMemo.ItemsFile);
        var vocabularies = Path.Combine(artifacts, ".cache", "llm", ResultMemo.VocabulariesFile);
        var revalidate = Enumerable.Range(0, 3).Select(_ =>
        {
            File.Delete(memo);
            File.Delete(vocabularies);
            return Cli(config, "run", "extract", "--force", "--single").TotalSeconds;
        }).ToList();
        report = JsonDocument.Parse(File.ReadAllText(Path.Combine(artifacts, "extract", "report.json"))).RootElement;
        Console.WriteLine($"cached, no memo : {report.GetProperty("cache_hits").GetInt64():N0} cache hits, {report.GetProperty("calls").GetInt64()} calls; " +
            $"`run extract --force --single` process wall {string.Join(", ", revalidate.Select(t => $"{t:F2}"))} s (median {revalidate.Order().ElementAt(1):F2} s), stage {report.GetProperty("wall_seconds").GetDouble():F2} s");
        var times = Enumerable.Range(0, 5).Select(_ => Cli(config, "run", "extract", "--force", "--single").TotalSeconds).ToList();
        report = JsonDocument.Parse(File.ReadAllText(Path.Combine(artifacts, "extract", "report.json"))).RootElement;
        Console.WriteLine($"cached rerun    : {report.GetProperty("items_from_memo").GetInt64():N0} items from the result memo, {report.GetProperty("calls").GetInt64()} calls; " +
            $"`run extract --force --single` process wall {string.Join(", ", times.Select(t => $"{t:F2}"))} s (median {times.Order().ElementAt(2):F2} s), stage {report.GetProperty("wall_seconds").GetDouble():F2} s");
        var offline = Enumerable.Range(0, 3).Select(_ => Cli(config, "--set", "stages.extract.params.llm.provider=offline", "run", "extract", "--force", "--single").TotalSeconds).ToList();
        report = JsonDocument.Parse(File.ReadAllText(Path.Combine(artifacts, "extract", "report.json"))).RootElement;
        Console.WriteLine($"offline         : {report.GetProperty("items").GetInt32():N0} items; `run extract --force --single` process wall " +
            $"{string.Join(", ", offline.Select(t => $"{t:F2}"))} s (median {offline.Order().ElementAt(1):F2} s), stage {report.GetProperty("wall_seconds").GetDouble():F2} s");
        await Task.CompletedTask;
    }

    private static TimeSpan Cli(string config, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "crossdomain.dll"));
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(config);
        psi.ArgumentList.Add("--quiet");
        foreach (var a in args) psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"crossdomain {string.Join(' ', args)} failed:\n{output}\n{err.Result}");
        return clock.Elapsed;
    }
}
