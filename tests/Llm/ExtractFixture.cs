using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Progress;
using CrossDomain.FakeServers;
using CrossDomain.Stages.Extract;
using CrossDomain.Stages.Ingest;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Llm;

/// <summary>A project folder with copied prompt templates, a small items table and a fake LLM server.</summary>
public sealed class ExtractFixture : IDisposable
{
    public TempDir Dir { get; } = new();
    public FakeLlmServer Server { get; private set; }
    public string ItemsDir => Path.Combine(Dir.Path, "items");
    public string Artifacts => Path.Combine(Dir.Path, "artifacts");
    public RecordingProgressSink Log { get; private set; } = new();
    public int ItemCount { get; }

    /// <param name="rootOnly">Category paths of the root alone, as in the real 2014 Food-Kitchen metadata.</param>
    public ExtractFixture(int itemsPerDomain = 3, Func<FakeChatRequest, FakeReply>? script = null, bool rootOnly = false)
    {
        Server = new FakeLlmServer(script ?? FakeLlmOracle.Answer);
        Repo.CopyPrompts(Dir);
        Directory.CreateDirectory(ItemsDir);
        foreach (var domain in new[] { "food", "kitchen" })
        {
            var rows = Enumerable.Range(0, itemsPerDomain).Select(i => new ItemRow
            {
                Item = $"{domain[0]}{i}", Domain = domain, Title = $"{domain} item {i}", Categories = [rootOnly ? $"{domain} root" : $"{domain} root > shelf {i % 2}"], SourceFormat = "test",
            }).ToList();
            ParquetArtifact.WriteAsync(rows, Path.Combine(ItemsDir, $"{domain}.parquet"), new Dictionary<string, string>()).GetAwaiter().GetResult();
        }
        ItemCount = 2 * itemsPerDomain;
    }

    public void Restart(Func<FakeChatRequest, FakeReply>? script = null)
    {
        Server.Dispose();
        Server = new FakeLlmServer(script ?? FakeLlmOracle.Answer);
    }

    /// <summary>Ollama (or another wire) params with quick retries, samples N = 3, R = 3 tag and schema queries.</summary>
    public ExtractParams Params(string provider = "ollama") => new()
    {
        Llm = new LlmParams
        {
            Provider = provider, Model = "fake-model",
            Endpoint = provider == "openai" ? new Uri(Server.BaseUri, "v1").ToString() : Server.BaseUri.ToString(),
            RetryBaseDelaySeconds = 0.01, TimeoutSeconds = 5, Concurrency = 4, MaxRetries = 3,
        },
        Samples = 3, SchemaQueries = 3, TagQueries = 3, Categories = 4, LabelsPerCategory = 4, TagsPerDomain = 7,
        DomainNames = new() { ["food"] = "Food", ["kitchen"] = "Kitchen" },
    };

    /// <summary>Calls a full extraction makes: R schema + R tag queries per domain + per item N labels, 1 description, 1 tags.</summary>
    public int ExpectedCalls(ExtractParams p) => p.SchemaQueries!.Value + 2 * p.TagQueries!.Value + ItemCount * (p.Samples!.Value + 2);

    public async Task<(Dictionary<string, string> Outputs, ExtractReport Report)> RunAsync(ExtractParams p, string outName = "out", CancellationToken ct = default)
    {
        Log = new RecordingProgressSink();
        var outputs = await DirectStage.RunAsync(new ExtractStage(), p, Path.Combine(Dir.Path, outName),
            new Dictionary<string, string> { ["items"] = ItemsDir }, Log, Dir.Path, Artifacts, ct);
        var report = System.Text.Json.JsonSerializer.Deserialize<ExtractReport>(File.ReadAllText(outputs["report"]), CrossDomain.Stages.ReportJson.Options)!;
        return (outputs, report);
    }

    public void Dispose()
    {
        Server.Dispose();
        Dir.Dispose();
    }
}
