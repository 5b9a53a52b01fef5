using System.Diagnostics;
using System.Text.Json;
using CrossDomain.Engine.Stages;
using CrossDomain.FakeServers;
using CrossDomain.Stages.Embed;
using CrossDomain.Stages.Ingest;

namespace CrossDomain.Benchmarks;

/// <summary>
/// Embedding throughput over the 28,095 real Food–Kitchen items (offline-extractor descriptions and titles): lsa (fit + embed + projection
/// written) and onnx with the tiny generated BERT-shaped model (tokenisation, batching, inference and pooling;
/// the model is tiny, so this measures the pipeline around the model, not a real encoder's cost).
/// </summary>
public static class EmbedBenchmark
{
    public static async Task RunAsync(string dataDir)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB");
        var dir = Directory.CreateTempSubdirectory("crossdomain-bench-embed-").FullName;
        try
        {
            var ingest = await BenchmarkStage.RunAsync(new IngestStage(), new IngestParams
            {
                Domains = new()
                {
                    ["food"] = new DomainFiles { Files = [Path.GetFullPath(Path.Combine(dataDir, "meta_Grocery_and_Gourmet_Food.json.gz"))] },
                    ["kitchen"] = new DomainFiles { Files = [Path.GetFullPath(Path.Combine(dataDir, "meta_Home_and_Kitchen.json.gz"))] },
                },
            }, Path.Combine(dir, "ingest"), projectRoot: dir, artifactsRoot: dir);
            // Descriptions for all 28,095 items come from the offline extractor (titles exist for 23,357).
            var repo = BenchmarkStage.RepoRoot();
            var extract = await BenchmarkStage.RunAsync(new CrossDomain.Stages.Extract.ExtractStage(),
                new CrossDomain.Stages.Extract.ExtractParams { SchemaFile = Path.Combine(repo, "prompts", "food-kitchen-schema.yaml") }, Path.Combine(dir, "extract"),
                new() { ["items"] = ingest["items"] }, dir, dir);
            var inputs = new Dictionary<string, string> { ["items"] = ingest["items"], ["item_semantics"] = extract["item_semantics"] };
            var folder = new TinyBertModel(hidden: 32, maxSequence: 64).WriteFolder(Path.Combine(dir, "tiny-bert"));
            foreach (var (name, embedder) in new[]
                     {
                         ("lsa d=128", new EmbedderParams { Kind = "lsa" }),
                         ("onnx tiny, cold", new EmbedderParams { Kind = "onnx", ModelPath = folder, BatchSize = 64 }),
                         ("onnx tiny, cached", new EmbedderParams { Kind = "onnx", ModelPath = folder, BatchSize = 64 }),
                     })
            {
                var clock = Stopwatch.StartNew();
                var outputs = await BenchmarkStage.RunAsync(new EmbedStage(), new EmbedParams { Texts = [TextKind.Description, TextKind.Title], Embedder = embedder },
                    Path.Combine(dir, name.Replace(' ', '-').Replace(',', '-').Replace('=', '-')), inputs, dir, dir);
                foreach (var report in JsonDocument.Parse(File.ReadAllText(outputs["report"])).RootElement.GetProperty("kinds").EnumerateArray())
                    Console.WriteLine($"{name,-18} {report.GetProperty("text_kind").GetString(),-11}: {report.GetProperty("items").GetInt32() - report.GetProperty("missing").GetInt32():N0} texts, " +
                        $"{report.GetProperty("embedded").GetInt32():N0} embedded, {report.GetProperty("cache_hits").GetInt32():N0} cached; " +
                        $"{report.GetProperty("seconds").GetDouble():F1} s = {report.GetProperty("texts_per_second").GetDouble():N0} texts/s");
                Console.WriteLine($"{name,-18} whole stage: {clock.Elapsed.TotalSeconds:F1} s for the 28,095 items");
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
