using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace CrossDomain.FakeServers;

/// <summary>
/// OpenAI's files and batches endpoints as the SDKs use them (<c>/v1/files</c>, <c>/v1/batches</c>, and Azure's
/// <c>/openai/files</c>, <c>/openai/batches</c>): multipart upload, listing, content download; batch creation,
/// retrieval with status transitions (validating → in_progress → completed, or expired / cancelling → cancelled),
/// output and error files, listing and cancellation. Each request line is answered by the server's chat script.
/// </summary>
public sealed class FakeBatchService(FakeLlmServer server)
{
    private sealed record StoredFile(string Id, string Name, string Purpose, byte[] Bytes);

    private sealed class Job
    {
        public required string Id, InputFileId, Endpoint;
        public string Status = "validating";
        public int Polls;
        public string? OutputFileId, ErrorFileId;
        public int Total, Completed, Failed;
        public JsonObject? Metadata;
    }

    private readonly ConcurrentDictionary<string, StoredFile> _files = new();
    private readonly ConcurrentDictionary<string, Job> _jobs = new();
    private readonly List<string> _jobOrder = [];
    private int _ids;

    /// <summary>Retrievals a job stays in_progress before it finishes.</summary>
    public int PollsToFinish { get; set; } = 1;
    /// <summary>Requests a script marks as failing go to the error file (the job still completes).</summary>
    public Func<FakeChatRequest, bool> RequestFails { get; set; } = _ => false;
    /// <summary>The next job to finish expires after answering this many of its requests (null: none expires).</summary>
    public int? ExpireNextAfter { get; set; }
    /// <summary>Drop the response of the next upload (the file is stored), as if the client died waiting.</summary>
    public bool LoseNextUploadResponse { get; set; }
    /// <summary>Drop the response of the next job creation (the job exists), as if the client died waiting.</summary>
    public bool LoseNextCreateResponse { get; set; }

    /// <summary>Holds the answer to a job creation this long after the job exists (a client can be killed meanwhile).</summary>
    public TimeSpan CreateResponseDelay { get; set; }
    /// <summary>Set when a job has been created (its answer possibly still held).</summary>
    public TaskCompletionSource JobCreated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Uploads;
    public int JobsCreated;
    /// <summary>How many times each custom id reached a created job.</summary>
    public ConcurrentDictionary<string, int> Submitted { get; } = new();
    public int Cancels;

    public IReadOnlyList<string> JobStatuses => _jobOrder.Select(id => _jobs[id].Status).ToList();

    public static bool Handles(string path) => Normalise(path) is var p && (p.StartsWith("/files", StringComparison.Ordinal) || p.StartsWith("/batches", StringComparison.Ordinal));

    /// <summary>The route without its API prefix: <c>/v1</c> (OpenAI), <c>/openai</c> or <c>/openai/v1</c> (Azure).</summary>
    private static string Normalise(string path)
    {
        if (path.StartsWith("/openai/", StringComparison.Ordinal)) path = path[7..];
        return path.StartsWith("/v1/", StringComparison.Ordinal) ? path[3..] : path;
    }

    public async Task HandleAsync(HttpListenerContext ctx)
    {
        var path = Normalise(ctx.Request.Url!.AbsolutePath).TrimEnd('/');
        var method = ctx.Request.HttpMethod;
        var bytes = await ReadAsync(ctx.Request.InputStream);
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (parts)
        {
            case ["files"] when method == "POST": await UploadAsync(ctx, bytes); return;
            case ["files"]:
                var purpose = ctx.Request.QueryString["purpose"];
                await WriteAsync(ctx, 200, List(_files.Values.Where(f => purpose is null || f.Purpose == purpose).OrderBy(f => f.Id).Select(FileObject)));
                return;
            case ["files", var id, "content"] when _files.TryGetValue(id, out var f):
                await WriteAsync(ctx, 200, f.Bytes, "application/octet-stream");
                return;
            case ["files", var id] when _files.TryGetValue(id, out var f):
                await WriteAsync(ctx, 200, FileObject(f)); return;
            case ["batches"] when method == "POST": await CreateAsync(ctx, bytes); return;
            case ["batches"]:
                List<Job> jobs;
                lock (_jobOrder) jobs = _jobOrder.AsEnumerable().Reverse().Select(i => _jobs[i]).ToList(); // newest first, as OpenAI lists
                await WriteAsync(ctx, 200, List(jobs.Select(JobObject)));
                return;
            case ["batches", var id] when _jobs.TryGetValue(id, out var job):
                Advance(job);
                await WriteAsync(ctx, 200, JobObject(job));
                return;
            case ["batches", var id, "cancel"] when method == "POST" && _jobs.TryGetValue(id, out var job):
                Interlocked.Increment(ref Cancels);
                lock (job) if (job.Status is "validating" or "in_progress") job.Status = "cancelling";
                await WriteAsync(ctx, 200, JobObject(job));
                return;
            default:
                await WriteAsync(ctx, 404, new JsonObject { ["error"] = new JsonObject { ["message"] = $"no route {method} {path}", ["type"] = "invalid_request_error" } });
                return;
        }
    }

    private async Task UploadAsync(HttpListenerContext ctx, byte[] body)
    {
        var boundary = ctx.Request.ContentType!.Split("boundary=")[1].Trim('"');
        string? name = null, purpose = null;
        byte[]? content = null;
        foreach (var (headers, data) in Multipart(body, boundary))
        {
            // Quoted or not: .NET's MultipartFormDataContent writes name=file; filename=x.jsonl.
            var field = System.Text.RegularExpressions.Regex.Match(headers, "[; ]name=\"?([^\";\r\n]+)").Groups[1].Value;
            if (field == "purpose") purpose = Encoding.UTF8.GetString(data);
            else if (field == "file")
            {
                content = data;
                var fileName = System.Text.RegularExpressions.Regex.Match(headers, "filename=\"?([^\";\r\n]+)");
                name = fileName.Success ? fileName.Groups[1].Value : "upload";
            }
        }
        var file = new StoredFile($"file-{Interlocked.Increment(ref _ids)}", name!, purpose!, content!);
        _files[file.Id] = file;
        Interlocked.Increment(ref Uploads);
        if (LoseNextUploadResponse) { LoseNextUploadResponse = false; ctx.Response.Abort(); return; }
        await WriteAsync(ctx, 200, FileObject(file));
    }

    private async Task CreateAsync(HttpListenerContext ctx, byte[] body)
    {
        var json = JsonNode.Parse(body)!;
        var input = json["input_file_id"]!.GetValue<string>();
        if (!_files.TryGetValue(input, out var file))
        {
            await WriteAsync(ctx, 400, new JsonObject { ["error"] = new JsonObject { ["message"] = $"no file {input}" } });
            return;
        }
        var lines = Encoding.UTF8.GetString(file.Bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var job = new Job
        {
            Id = $"batch_{Interlocked.Increment(ref _ids)}", InputFileId = input, Endpoint = json["endpoint"]!.GetValue<string>(),
            Total = lines.Length, Metadata = json["metadata"]?.DeepClone().AsObject(),
        };
        foreach (var line in lines) Submitted.AddOrUpdate(JsonNode.Parse(line)!["custom_id"]!.GetValue<string>(), 1, (_, n) => n + 1);
        _jobs[job.Id] = job;
        lock (_jobOrder) _jobOrder.Add(job.Id);
        Interlocked.Increment(ref JobsCreated);
        JobCreated.TrySetResult();
        if (CreateResponseDelay > TimeSpan.Zero) await Task.Delay(CreateResponseDelay);
        if (LoseNextCreateResponse) { LoseNextCreateResponse = false; ctx.Response.Abort(); return; }
        await WriteAsync(ctx, 200, JobObject(job));
    }

    /// <summary>One step of a job's life per retrieval; a finishing job answers its requests through the chat script.</summary>
    private void Advance(Job job)
    {
        lock (job)
        {
            switch (job.Status)
            {
                case "validating": job.Status = "in_progress"; return;
                case "cancelling": Finish(job, "cancelled", answer: 0); return;
                case "in_progress" when ++job.Polls >= PollsToFinish:
                    if (ExpireNextAfter is { } n) { ExpireNextAfter = null; Finish(job, "expired", n); }
                    else Finish(job, "completed", int.MaxValue);
                    return;
            }
        }
    }

    private void Finish(Job job, string status, int answer)
    {
        var lines = Encoding.UTF8.GetString(_files[job.InputFileId].Bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var output = new StringBuilder();
        var errors = new StringBuilder();
        for (int i = 0; i < lines.Length; i++)
        {
            var line = JsonNode.Parse(lines[i])!;
            var id = line["custom_id"]!.GetValue<string>();
            if (i >= answer)
            {
                errors.AppendLine(new JsonObject { ["id"] = $"batch_req_{i}", ["custom_id"] = id, ["response"] = null,
                    ["error"] = new JsonObject { ["code"] = status == "expired" ? "batch_expired" : "batch_cancelled", ["message"] = $"This request could not be executed before the batch was {status}." } }.ToJsonString());
                job.Failed++;
                continue;
            }
            var request = server.ToChatRequest(line["body"]!.AsObject(), line["url"]!.GetValue<string>(), "openai");
            if (RequestFails(request))
            {
                errors.AppendLine(new JsonObject { ["id"] = $"batch_req_{i}", ["custom_id"] = id,
                    ["response"] = new JsonObject { ["status_code"] = 500, ["request_id"] = $"req_{i}", ["body"] = new JsonObject { ["error"] = new JsonObject { ["message"] = "scripted failure", ["type"] = "server_error" } } },
                    ["error"] = null }.ToJsonString());
                job.Failed++;
                continue;
            }
            var reply = server.Script(request);
            output.AppendLine(new JsonObject
            {
                ["id"] = $"batch_req_{i}", ["custom_id"] = id,
                ["response"] = new JsonObject { ["status_code"] = 200, ["request_id"] = $"req_{i}", ["body"] = FakeLlmServer.Completion(request.Model, i, reply) },
                ["error"] = null,
            }.ToJsonString());
            job.Completed++;
        }
        job.OutputFileId = Store(output.ToString(), $"{job.Id}_output.jsonl");
        job.ErrorFileId = errors.Length > 0 ? Store(errors.ToString(), $"{job.Id}_error.jsonl") : null;
        job.Status = status;
    }

    private string Store(string text, string name)
    {
        var file = new StoredFile($"file-{Interlocked.Increment(ref _ids)}", name, "batch_output", Encoding.UTF8.GetBytes(text));
        _files[file.Id] = file;
        return file.Id;
    }

    private static JsonObject FileObject(StoredFile f) => new()
    {
        ["id"] = f.Id, ["object"] = "file", ["bytes"] = f.Bytes.Length, ["created_at"] = 1767225600, ["filename"] = f.Name,
        ["purpose"] = f.Purpose, ["status"] = "processed",
    };

    private static JsonObject JobObject(Job j) => new()
    {
        ["id"] = j.Id, ["object"] = "batch", ["endpoint"] = j.Endpoint, ["input_file_id"] = j.InputFileId, ["completion_window"] = "24h",
        ["status"] = j.Status, ["output_file_id"] = j.OutputFileId, ["error_file_id"] = j.ErrorFileId, ["created_at"] = 1767225600,
        ["request_counts"] = new JsonObject { ["total"] = j.Total, ["completed"] = j.Completed, ["failed"] = j.Failed },
        ["metadata"] = j.Metadata?.DeepClone(),
    };

    private static JsonObject List(IEnumerable<JsonObject> items)
    {
        var data = items.ToList();
        return new JsonObject
        {
            ["object"] = "list", ["data"] = new JsonArray(data.Select(d => (JsonNode)d).ToArray()), ["has_more"] = false,
            ["first_id"] = data.FirstOrDefault()?["id"]?.GetValue<string>(), ["last_id"] = data.LastOrDefault()?["id"]?.GetValue<string>(),
        };
    }

    private static IEnumerable<(string Headers, byte[] Data)> Multipart(byte[] body, string boundary)
    {
        var text = Encoding.Latin1.GetString(body); // byte-preserving
        foreach (var part in text.Split("--" + boundary))
        {
            var split = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (split < 0) continue;
            var headers = part[..split];
            var data = part[(split + 4)..];
            if (data.EndsWith("\r\n", StringComparison.Ordinal)) data = data[..^2];
            yield return (headers, Encoding.Latin1.GetBytes(data));
        }
    }

    private static async Task<byte[]> ReadAsync(Stream s)
    {
        using var m = new MemoryStream();
        await s.CopyToAsync(m);
        return m.ToArray();
    }

    private static Task WriteAsync(HttpListenerContext ctx, int status, JsonNode body) =>
        WriteAsync(ctx, status, Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json");

    private static async Task WriteAsync(HttpListenerContext ctx, int status, byte[] bytes, string type)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = type;
        ctx.Response.ContentLength64 = bytes.Length;
        await ctx.Response.OutputStream.WriteAsync(bytes);
        ctx.Response.Close();
    }
}
