#pragma warning disable OPENAI001 // the SDK marks its batch client as evaluation-only
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossDomain.Providers.Chat;
using OpenAI;
using OpenAI.Batch;
using OpenAI.Files;

namespace CrossDomain.Providers.Batch;

/// <summary>One batch job as the provider reports it.</summary>
public sealed record BatchJobState(string Id, string Status, string? InputFileId, string? OutputFileId, string? ErrorFileId,
    int Total, int Completed, int Failed)
{
    /// <summary>Nothing more will happen to the job: its output and error files are final.</summary>
    public bool IsTerminal => Status is "completed" or "failed" or "expired" or "cancelled";
}

/// <summary>
/// The files and batches endpoints of OpenAI and Azure OpenAI, through the SDKs' <see cref="OpenAIFileClient"/> and
/// <see cref="BatchClient"/>. Its HTTP client has no retry layer on purpose: an upload or a job creation retried after
/// a lost response would submit twice. A failed step fails the run instead, and the next run first looks for what the
/// lost response would have named (<see cref="FindUploadAsync"/>, <see cref="FindJobAsync"/>).
/// </summary>
public sealed class OpenAIBatchApi : IDisposable
{
    private readonly HttpClient _http;
    private readonly OpenAIFileClient _files;
    private readonly BatchClient _batches;

    /// <summary>The <c>url</c> of each request line and the job's <c>endpoint</c>: OpenAI's is versioned, Azure's is not.</summary>
    public string ChatPath { get; }

    public OpenAIBatchApi(ChatProviderOptions o, HttpMessageHandler? transport = null)
    {
        var key = o.UseEntraId ? null : ApiKeyResolver.Find(o.ApiKeyVariable, o.UserSecretsId);
        _http = new HttpClient(transport ?? new SocketsHttpHandler(), disposeHandler: true) { Timeout = TimeSpan.FromMinutes(10) };
        switch (o.Provider)
        {
            case "openai":
                var openai = ProviderHttp.OpenAI(o, _http, key);
                (_files, _batches, ChatPath) = (openai.GetOpenAIFileClient(), openai.GetBatchClient(), "/v1/chat/completions");
                break;
            case "azure_openai":
                // Azure OpenAI's v1 API (<resource>/openai/v1/) takes the OpenAI SDK's own clients with the key as a
                // bearer token. (Azure.AI.OpenAI 2.1's batch client does not load beside OpenAI 2.14: a TypeLoadException.)
                if (o.UseEntraId) throw new InvalidOperationException("batch mode on azure_openai needs a key (auth: key with api_key_env), not Entra ID");
                var v1 = o with { Endpoint = new Uri(o.Endpoint.ToString().TrimEnd('/') + "/openai/v1/") };
                var azure = ProviderHttp.OpenAI(v1, _http, key);
                (_files, _batches, ChatPath) = (azure.GetOpenAIFileClient(), azure.GetBatchClient(), "/chat/completions");
                break;
            default:
                throw new InvalidOperationException($"batch mode needs provider openai or azure_openai, not {o.Provider}");
        }
    }

    public async Task<string> UploadAsync(BinaryData jsonl, string fileName, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        OpenAIFile file = await _files.UploadFileAsync(jsonl, fileName, FileUploadPurpose.Batch);
        return file.Id;
    }

    /// <summary>A batch-purpose file already uploaded under this (unique) name, from a run whose upload answer was lost.</summary>
    public async Task<string?> FindUploadAsync(string fileName, CancellationToken ct)
    {
        OpenAIFileCollection files = await _files.GetFilesAsync(FilePurpose.Batch, ct);
        return files.FirstOrDefault(f => f.Filename == fileName)?.Id;
    }

    public async Task<string> CreateJobAsync(string inputFileId, IReadOnlyDictionary<string, string> metadata, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["input_file_id"] = inputFileId, ["endpoint"] = ChatPath, ["completion_window"] = "24h",
            ["metadata"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        };
        var operation = await _batches.CreateBatchAsync(BinaryContent.Create(BinaryData.FromString(body.ToJsonString())), waitUntilCompleted: false,
            new RequestOptions { CancellationToken = ct });
        return operation.BatchId;
    }

    /// <summary>A job already created from this input file, from a run whose creation answer was lost.</summary>
    public async Task<string?> FindJobAsync(string inputFileId, CancellationToken ct)
    {
        await foreach (var page in _batches.GetBatchesAsync(after: null, limit: 100, new RequestOptions { CancellationToken = ct }).GetRawPagesAsync())
            foreach (var job in JsonNode.Parse(page.GetRawResponse().Content.ToString())!["data"]!.AsArray())
                if (job?["input_file_id"]?.GetValue<string>() == inputFileId) return job["id"]!.GetValue<string>();
        return null;
    }

    public async Task<BatchJobState> GetJobAsync(string jobId, CancellationToken ct)
    {
        var result = await _batches.GetBatchAsync(jobId, new RequestOptions { CancellationToken = ct });
        return Parse(JsonNode.Parse(result.GetRawResponse().Content.ToString())!);
    }

    public async Task<string> DownloadAsync(string fileId, CancellationToken ct) =>
        (await _files.DownloadFileAsync(fileId, ct)).Value.ToString();

    public async Task CancelAsync(string jobId, CancellationToken ct)
    {
        var operation = await CreateBatchOperation.RehydrateAsync(_batches, jobId, ct);
        await operation.CancelAsync(new RequestOptions { CancellationToken = ct });
    }

    private static BatchJobState Parse(JsonNode job)
    {
        var counts = job["request_counts"];
        int Count(string name) => counts?[name]?.GetValue<int>() ?? 0;
        return new BatchJobState(job["id"]!.GetValue<string>(), job["status"]?.GetValue<string>() ?? "unknown",
            job["input_file_id"]?.GetValue<string>(), job["output_file_id"]?.GetValue<string>(), job["error_file_id"]?.GetValue<string>(),
            Count("total"), Count("completed"), Count("failed"));
    }

    /// <summary>One line of a batch request file: the chat completion body, as the SDK's chat client would send it.</summary>
    public string RequestLine(string customId, string model, JsonObject body)
    {
        body["model"] = model;
        return new JsonObject { ["custom_id"] = customId, ["method"] = "POST", ["url"] = ChatPath, ["body"] = body }.ToJsonString();
    }

    /// <summary>One line of an output or error file: the custom id, and the answer's text and usage or the error.</summary>
    public static BatchResultLine ParseResultLine(string line)
    {
        var node = JsonNode.Parse(line)!;
        var id = node["custom_id"]?.GetValue<string>() ?? "";
        var response = node["response"];
        var status = response?["status_code"]?.GetValue<int>() ?? 0;
        var body = response?["body"];
        if (status == 200 && body?["choices"]?[0]?["message"]?["content"] is JsonNode content)
            return new BatchResultLine(id, content.GetValue<string>(), body["usage"]?["prompt_tokens"]?.GetValue<long>() ?? 0,
                body["usage"]?["completion_tokens"]?.GetValue<long>() ?? 0, null);
        var error = node["error"]?["message"]?.GetValue<string>() ?? body?["error"]?["message"]?.GetValue<string>()
                    ?? (status == 0 ? "no response" : $"HTTP {status}");
        var code = node["error"]?["code"]?.GetValue<string>() ?? body?["error"]?["code"]?.GetValue<string>();
        return new BatchResultLine(id, null, 0, 0, code is null ? error : $"{code}: {error}");
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A parsed output or error line: <see cref="Text"/> for an answer, <see cref="Error"/> otherwise.</summary>
public sealed record BatchResultLine(string CustomId, string? Text, long TokensIn, long TokensOut, string? Error);
