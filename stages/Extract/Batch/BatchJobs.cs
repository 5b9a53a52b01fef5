using System.Text.Json.Nodes;
using CrossDomain.Engine.Progress;
using CrossDomain.Providers.Batch;
using CrossDomain.Providers.Caching;
using Microsoft.Extensions.AI;

namespace CrossDomain.Stages.Extract.Batch;

/// <summary>Limits of one request file (OpenAI Batch: 50,000 requests and 200 MB per file).</summary>
public sealed record BatchLimits(int MaxRequests, long MaxBytes);

/// <summary>
/// Moves the batch submissions of one call cache along: uploads request files, creates jobs, polls them, and files
/// every answer of a finished job in the per-call cache (so voting, the result memo and every later stage read it as
/// they read a streamed answer). Each step is recorded in the <see cref="BatchJournal"/> before the next.
/// </summary>
public sealed class BatchJobs(OpenAIBatchApi api, BatchJournal journal, CallCache cache, string provider, string model, IProgressSink progress)
{
    /// <summary>Answers filed in the cache by this process.</summary>
    public int Answered { get; private set; }

    /// <summary>Tokens of the answers filed by this process, as the provider reported them.</summary>
    public long TokensIn { get; private set; }
    public long TokensOut { get; private set; }

    /// <summary>Requests that failed in jobs collected by this process.</summary>
    public int Failed { get; private set; }

    /// <summary>Uploads and creates what earlier runs left unfinished, polls every open job, collects the finished ones.</summary>
    public async Task AdvanceAsync(CancellationToken ct)
    {
        foreach (var s in journal.Open.ToList())
        {
            await EnsureJobAsync(s, ct);
            var state = await api.GetJobAsync(s.JobId!, ct);
            if (state.Status != s.Status)
            {
                s.Status = state.Status;
                journal.Save(s);
            }
            if (state.IsTerminal) await CollectAsync(s, state, ct);
        }
    }

    /// <summary>Writes the calls into new request files within the limits, then uploads them and creates their jobs.</summary>
    public async Task<int> SubmitAsync(IReadOnlyList<PlannedCall> calls, BatchLimits limits, CancellationToken ct)
    {
        var fresh = calls.Where(c => !journal.InFlight(c.Key)).ToList();
        var chunk = new List<(string Line, BatchCallInfo Info)>();
        long bytes = 0;
        var submitted = new List<BatchSubmission>();
        foreach (var c in fresh)
        {
            var line = api.RequestLine(c.Key, model, RequestBody(c.Messages, c.Options));
            var size = System.Text.Encoding.UTF8.GetByteCount(line) + 1;
            if (chunk.Count > 0 && (chunk.Count >= limits.MaxRequests || bytes + size > limits.MaxBytes))
            {
                submitted.Add(journal.Prepare(chunk));
                (chunk, bytes) = ([], 0);
            }
            chunk.Add((line, new BatchCallInfo(c.Key, c.Task, c.Subject, c.Sample, c.Attempt, c.Template)));
            bytes += size;
        }
        if (chunk.Count > 0) submitted.Add(journal.Prepare(chunk));
        foreach (var s in submitted) await EnsureJobAsync(s, ct);
        return fresh.Count;
    }

    /// <summary>Cancels every open job (their finished answers are still collected by the next run).</summary>
    public static async Task<int> CancelAsync(OpenAIBatchApi api, BatchJournal journal, CancellationToken ct)
    {
        int cancelled = 0;
        foreach (var s in journal.Open.Where(s => s.JobId is not null).ToList())
        {
            var state = await api.GetJobAsync(s.JobId!, ct);
            if (state.IsTerminal || state.Status == "cancelling") continue;
            await api.CancelAsync(s.JobId!, ct);
            s.Status = "cancelling";
            journal.Save(s);
            cancelled++;
        }
        return cancelled;
    }

    /// <summary>"3 of 5 done" and the open jobs' own counts, for the waiting message and <c>status</c>.</summary>
    public string Summary() => Describe(journal);

    public static string Describe(BatchJournal journal)
    {
        var all = journal.Submissions.Count;
        var open = journal.Open.ToList();
        var text = $"waiting for batch jobs: {all - open.Count} of {all} done";
        if (open.Count > 0) text += $" ({string.Join(", ", open.Select(s => $"{s.JobId ?? s.Id} {s.Status}, {s.Requests:N0} requests"))})";
        return text;
    }

    /// <summary>Polls the open jobs with a doubling interval until one finishes or <paramref name="until"/> passes.</summary>
    public async Task WaitForAnyAsync(TimeSpan firstInterval, DateTimeOffset until, TimeProvider clock, CancellationToken ct)
    {
        var interval = firstInterval;
        var longest = TimeSpan.FromMinutes(10);
        while (clock.GetUtcNow() < until)
        {
            var left = until - clock.GetUtcNow();
            await Task.Delay(interval < left ? interval : left, clock, ct);
            foreach (var s in journal.Open.Where(s => s.JobId is not null))
                if ((await api.GetJobAsync(s.JobId!, ct)).IsTerminal) return;
            interval = TimeSpan.FromTicks(Math.Min(longest.Ticks, interval.Ticks * 2));
        }
    }

    private async Task EnsureJobAsync(BatchSubmission s, CancellationToken ct)
    {
        if (s.FileId is null)
        {
            // A lost upload answer left the file there under its unique name: use it rather than upload twice.
            s.FileId = await api.FindUploadAsync(s.FileName, ct) ?? await api.UploadAsync(journal.RequestFile(s), s.FileName, ct);
            s.Status = "uploaded";
            journal.Save(s);
        }
        if (s.JobId is null)
        {
            s.JobId = await api.FindJobAsync(s.FileId, ct)
                      ?? await api.CreateJobAsync(s.FileId, new Dictionary<string, string> { ["crossdomain_submission"] = s.Id }, ct);
            s.Status = "submitted";
            journal.Save(s);
            progress.Info($"batch job {s.JobId} created: {s.Requests:N0} requests ({s.FileName})");
        }
    }

    private async Task CollectAsync(BatchSubmission s, BatchJobState state, CancellationToken ct)
    {
        var calls = journal.Calls(s).ToDictionary(c => c.Key, StringComparer.Ordinal);
        var answered = new HashSet<string>(StringComparer.Ordinal);
        var failures = new List<(string Key, string Error)>();
        foreach (var fileId in new[] { state.OutputFileId, state.ErrorFileId })
        {
            if (string.IsNullOrEmpty(fileId)) continue;
            foreach (var text in (await api.DownloadAsync(fileId, ct)).Split('\n').Where(l => l.Trim().Length > 0))
            {
                var line = OpenAIBatchApi.ParseResultLine(text);
                if (!calls.TryGetValue(line.CustomId, out var info) || answered.Contains(line.CustomId)) continue;
                if (line.Text is null) { failures.Add((line.CustomId, line.Error ?? "no answer")); answered.Add(line.CustomId); continue; }
                answered.Add(line.CustomId);
                if (cache.TryGet(line.CustomId, out _)) continue;
                cache.Add(new CachedCall
                {
                    Key = line.CustomId, Task = info.Task, Subject = info.Subject, Sample = info.Sample, Attempt = info.Attempt,
                    Provider = provider, Model = model, Template = info.Template, Response = line.Text, TokensIn = line.TokensIn,
                    TokensOut = line.TokensOut, CreatedUtc = DateTime.UtcNow,
                });
                Answered++;
                TokensIn += line.TokensIn;
                TokensOut += line.TokensOut;
                s.Answered++;
            }
        }
        // Requests a failed, expired or cancelled job never reached.
        foreach (var key in calls.Keys.Where(k => !answered.Contains(k)))
            failures.Add((key, $"the batch job ended {state.Status} before answering it"));
        Failed += failures.Count;
        journal.Collected(s, failures);
        progress.Info($"batch job {s.JobId} {state.Status}: {s.Answered:N0} answers filed in the cache, {failures.Count:N0} failed");
    }

    /// <summary>The chat completion body the SDK's chat client would send for these messages and options.</summary>
    public static JsonObject RequestBody(IReadOnlyList<ChatMessage> messages, ChatOptions options)
    {
        var body = new JsonObject
        {
            ["messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role.Value, ["content"] = m.Text }).ToArray()),
        };
        if (options.Temperature is { } t) body["temperature"] = t;
        if (options.Seed is { } seed) body["seed"] = seed;
        switch (options.ResponseFormat)
        {
            case ChatResponseFormatJson { Schema: { } schema } json:
                body["response_format"] = new JsonObject
                {
                    ["type"] = "json_schema",
                    ["json_schema"] = new JsonObject { ["name"] = json.SchemaName ?? "answer", ["schema"] = JsonNode.Parse(schema.GetRawText()) },
                };
                break;
            case ChatResponseFormatJson:
                body["response_format"] = new JsonObject { ["type"] = "json_object" };
                break;
        }
        return body;
    }
}
