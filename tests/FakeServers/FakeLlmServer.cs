using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrossDomain.FakeServers;

/// <summary>A chat request as the fake server received it, whatever the wire format.</summary>
public sealed record FakeChatRequest(string Wire, string Path, string Model, IReadOnlyList<(string Role, string Content)> Messages,
    double? Temperature, long? Seed, JsonNode? Format, int Index, IReadOnlyDictionary<string, string> Headers)
{
    public string Prompt => Messages.First(m => m.Role == "user").Content;
    public string LastUser => Messages.Last(m => m.Role == "user").Content;
}

/// <summary>What the script wants sent back.</summary>
public sealed record FakeReply(string Content = "", int Status = 200, int DelayMs = 0, string? RetryAfter = null, string? ErrorBody = null,
    int PromptTokens = 10, int CompletionTokens = 5)
{
    public static FakeReply Text(string content) => new(content);
    public static FakeReply Error(int status, string? retryAfter = null, string? body = null) => new("", status, RetryAfter: retryAfter, ErrorBody: body);
}

/// <summary>
/// An HTTP server on 127.0.0.1 speaking the wire formats of Ollama (<c>/api/chat</c>, <c>/api/embed</c>) and OpenAI
/// (<c>/v1/chat/completions</c>, <c>/v1/embeddings</c>, and Azure's <c>/openai/deployments/{d}/...</c>) closely enough
/// for OllamaSharp, OpenAI and Azure.AI.OpenAI. A script decides each chat answer; embeddings are deterministic
/// vectors of the text. It can also die, refusing every later connection.
/// </summary>
public sealed class FakeLlmServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private int _requests;
    private int _dieAfter = int.MaxValue;
    private bool _dying;

    public Uri BaseUri { get; }
    public Func<FakeChatRequest, FakeReply> Script { get; set; }
    public ConcurrentQueue<FakeChatRequest> Received { get; } = new();
    public int ChatRequests => Received.Count;
    public int EmbeddingRequests;
    /// <summary>GET /models or /api/tags requests (health checks).</summary>
    public int HealthChecks;
    public int EmbeddingDimensions { get; set; } = 8;
    /// <summary>Most requests handled at once so far.</summary>
    public int PeakConcurrency;
    private int _inFlight;

    public FakeLlmServer(Func<FakeChatRequest, FakeReply> script, int workers = 64)
    {
        Script = script;
        Batches = new FakeBatchService(this);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUri.ToString());
        _listener.Start();
        for (int i = 0; i < workers; i++) _loops.Add(Task.Run(LoopAsync));
    }

    /// <summary>
    /// After <paramref name="requests"/> more chat requests the server stops listening, as if it crashed: every later
    /// request is reset, and the listener stops once the answers already being written have gone out whole, so that a
    /// test knows exactly how many answers the client got (stopping at once would reset those too, a race).
    /// </summary>
    public void DieAfter(int requests) => _dieAfter = Volatile.Read(ref _requests) + requests;

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            var now = Interlocked.Increment(ref _inFlight);
            int peak;
            while (now > (peak = Volatile.Read(ref PeakConcurrency)) && Interlocked.CompareExchange(ref PeakConcurrency, now, peak) != peak) { }
            try { await HandleAsync(ctx); }
            catch (Exception) { try { ctx.Response.Abort(); } catch { } }
            finally
            {
                // A dying server stops listening once the answers it was writing have gone out (see DieAfter).
                if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _dying)) Stop();
            }
        }
    }

    /// <summary>OpenAI's files and batches endpoints, answering request lines with <see cref="Script"/>.</summary>
    public FakeBatchService Batches { get; }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        if (Volatile.Read(ref _dying))
        {
            ctx.Response.Abort();
            return;
        }
        var path = ctx.Request.Url!.AbsolutePath;
        if (FakeBatchService.Handles(path))
        {
            await Batches.HandleAsync(ctx);
            return;
        }
        if (ctx.Request.HttpMethod == "GET" && (path.EndsWith("/models", StringComparison.Ordinal) || path == "/api/tags"))
        {
            // The model list (OpenAI) or tags (Ollama): what an endpoint pool's health check asks.
            Interlocked.Increment(ref HealthChecks);
            await WriteAsync(ctx, 200, path == "/api/tags"
                ? "{\"models\":[{\"name\":\"fake-model\"}]}"
                : "{\"object\":\"list\",\"data\":[{\"id\":\"fake-model\",\"object\":\"model\"}]}");
            return;
        }
        string body;
        using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync();
        var json = JsonNode.Parse(body)!.AsObject();
        if (path.EndsWith("/embed", StringComparison.Ordinal) || path.EndsWith("/embeddings", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref EmbeddingRequests);
            await EmbedAsync(ctx, path, json);
            return;
        }
        var index = Interlocked.Increment(ref _requests);
        if (index > _dieAfter)
        {
            Volatile.Write(ref _dying, true);
            ctx.Response.Abort();
            return;
        }
        var ollama = path == "/api/chat";
        var headers = ctx.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => ctx.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
        var request = ToChatRequest(json, path, ollama ? "ollama" : "openai", index, headers);
        var model = request.Model;
        Received.Enqueue(request);
        var reply = Script(request);
        if (reply.DelayMs > 0) await Task.Delay(reply.DelayMs);
        if (reply.Status != 200)
        {
            if (reply.RetryAfter is not null) ctx.Response.Headers["Retry-After"] = reply.RetryAfter;
            await WriteAsync(ctx, reply.Status, reply.ErrorBody ?? $"{{\"error\":{{\"message\":\"scripted {reply.Status}\",\"type\":\"server_error\"}}}}");
            return;
        }
        JsonObject response = ollama
            ? new JsonObject
            {
                ["model"] = model, ["created_at"] = "2026-01-01T00:00:00Z",
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply.Content },
                ["done"] = true, ["done_reason"] = "stop", ["prompt_eval_count"] = reply.PromptTokens, ["eval_count"] = reply.CompletionTokens,
            }
            : Completion(model, index, reply);
        await WriteAsync(ctx, 200, response.ToJsonString());
    }

    /// <summary>A chat request from its JSON body, in either wire format.</summary>
    public FakeChatRequest ToChatRequest(JsonObject json, string path, string wire, int index = 0, IReadOnlyDictionary<string, string>? headers = null)
    {
        var ollama = wire == "ollama";
        var messages = json["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), m["content"]?.GetValue<string>() ?? "")).ToList();
        double? temperature = ollama ? json["options"]?["temperature"]?.GetValue<double>() : json["temperature"]?.GetValue<double>();
        long? seed = ollama ? json["options"]?["seed"]?.GetValue<long>() : json["seed"]?.GetValue<long>();
        var format = ollama ? json["format"] : json["response_format"];
        return new FakeChatRequest(wire, path, json["model"]?.GetValue<string>() ?? "", messages, temperature, seed, format?.DeepClone(), index,
            headers ?? new Dictionary<string, string>());
    }

    /// <summary>An OpenAI chat.completion object carrying the reply.</summary>
    public static JsonObject Completion(string model, int index, FakeReply reply) => new()
    {
        ["id"] = $"chatcmpl-{index}", ["object"] = "chat.completion", ["created"] = 1767225600, ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0, ["finish_reason"] = "stop",
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply.Content },
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = reply.PromptTokens, ["completion_tokens"] = reply.CompletionTokens, ["total_tokens"] = reply.PromptTokens + reply.CompletionTokens },
    };

    private async Task EmbedAsync(HttpListenerContext ctx, string path, JsonObject json)
    {
        var ollama = path == "/api/embed";
        var inputs = json["input"] switch
        {
            JsonArray a => a.Select(x => x!.GetValue<string>()).ToList(),
            JsonValue v => [v.GetValue<string>()],
            _ => [],
        };
        var vectors = inputs.Select(Vector).ToList();
        JsonObject response = ollama
            ? new JsonObject { ["model"] = json["model"]?.GetValue<string>(), ["embeddings"] = new JsonArray(vectors.Select(v => (JsonNode)new JsonArray(v.Select(x => (JsonNode)x).ToArray())).ToArray()) }
            : new JsonObject
            {
                ["object"] = "list", ["model"] = json["model"]?.GetValue<string>(),
                ["data"] = new JsonArray(vectors.Select((v, i) => (JsonNode)new JsonObject
                {
                    ["object"] = "embedding", ["index"] = i, ["embedding"] = new JsonArray(v.Select(x => (JsonNode)x).ToArray()),
                }).ToArray()),
                ["usage"] = new JsonObject { ["prompt_tokens"] = inputs.Count, ["total_tokens"] = inputs.Count },
            };
        await WriteAsync(ctx, 200, response.ToJsonString());
    }

    /// <summary>The deterministic embedding of a text: a seeded pseudo-random unit vector.</summary>
    public float[] Vector(string text)
    {
        var rng = new Random(StableHash(text));
        var v = Enumerable.Range(0, EmbeddingDimensions).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    public static int StableHash(string text)
    {
        unchecked
        {
            int h = (int)2166136261;
            foreach (var ch in text) h = (h ^ ch) * 16777619;
            return h;
        }
    }

    private static async Task WriteAsync(HttpListenerContext ctx, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength64 = bytes.Length;
        await ctx.Response.OutputStream.WriteAsync(bytes);
        ctx.Response.Close();
    }

    public void Stop()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        try { _listener.Stop(); } catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        Stop();
        try { _listener.Close(); } catch (ObjectDisposedException) { }
    }
}
