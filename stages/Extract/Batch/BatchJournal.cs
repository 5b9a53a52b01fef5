using System.Text.Json;
using System.Text.Json.Serialization;
using CrossDomain.Engine.Hashing;

namespace CrossDomain.Stages.Extract.Batch;

/// <summary>What a request line of a submission asked, to file its answer in the per-call cache.</summary>
public sealed record BatchCallInfo(
    [property: JsonPropertyName("key")] string Key, [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("subject")] string Subject, [property: JsonPropertyName("sample")] int Sample,
    [property: JsonPropertyName("attempt")] int Attempt, [property: JsonPropertyName("template")] string Template);

/// <summary>One request file and the job made from it. Saved after every step, before the next one starts.</summary>
public sealed class BatchSubmission
{
    /// <summary>Unique; also the uploaded file's name, by which a lost upload answer is found again.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("requests")] public int Requests { get; set; }
    [JsonPropertyName("file_id")] public string? FileId { get; set; }
    [JsonPropertyName("job_id")] public string? JobId { get; set; }
    /// <summary>prepared, uploaded, then the provider's job status; collected once its answers are in the cache.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "prepared";
    [JsonPropertyName("collected")] public bool Collected { get; set; }
    [JsonPropertyName("answered")] public int Answered { get; set; }
    [JsonPropertyName("failed")] public int Failed { get; set; }
    [JsonPropertyName("created_utc")] public DateTime CreatedUtc { get; set; }

    [JsonIgnore] public string FileName => $"{Id}.jsonl";
}

/// <summary>
/// The durable record of a call cache's batch submissions (<c>&lt;cache_dir&gt;/batches/</c>): per submission its
/// request file, what each line asked, and its state (file id, job id, status), each written atomically before the
/// step that depends on it, so that a process killed at any point leaves enough to go on without submitting twice.
/// Requests that failed are appended to <c>failures.jsonl</c>, which counts the tries of each call.
/// </summary>
public sealed class BatchJournal
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly string _dir;
    private readonly List<BatchSubmission> _submissions;
    private readonly Dictionary<string, (int Tries, string Error)> _failures = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);

    private BatchJournal(string dir, List<BatchSubmission> submissions)
    {
        _dir = dir;
        _submissions = submissions;
    }

    public string Directory => _dir;
    public IReadOnlyList<BatchSubmission> Submissions => _submissions;
    public IEnumerable<BatchSubmission> Open => _submissions.Where(s => !s.Collected);

    /// <summary>The journal of a call cache's batch submissions (empty when it has none).</summary>
    public static BatchJournal Of(string cacheDir) => Load(Path.Combine(cacheDir, "batches"));

    public static BatchJournal Load(string dir)
    {
        var submissions = new List<BatchSubmission>();
        if (System.IO.Directory.Exists(dir))
            foreach (var sub in System.IO.Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
            {
                var state = Path.Combine(sub, "state.json");
                if (!File.Exists(state)) continue; // a submission cut off while being prepared: never uploaded
                submissions.Add(JsonSerializer.Deserialize<BatchSubmission>(File.ReadAllText(state))
                                ?? throw new InvalidDataException($"{state}: empty batch state"));
            }
        var journal = new BatchJournal(dir, submissions);
        var failures = Path.Combine(dir, "failures.jsonl");
        if (File.Exists(failures))
            foreach (var line in File.ReadLines(failures).Where(l => l.Length > 0))
            {
                FailureLine? f;
                try { f = JsonSerializer.Deserialize<FailureLine>(line); }
                catch (JsonException) { continue; } // the torn last line of a killed append
                if (f is null) continue;
                if (f.Forget) { journal._failures.Remove(f.Key); continue; }
                var tries = journal._failures.GetValueOrDefault(f.Key).Tries;
                journal._failures[f.Key] = (tries + 1, f.Error);
            }
        foreach (var s in journal.Open)
            foreach (var c in journal.Calls(s)) journal._inFlight.Add(c.Key);
        return journal;
    }

    /// <summary>Whether a call is in a submission whose answers are not collected yet (so it must not be sent again).</summary>
    public bool InFlight(string key) => _inFlight.Contains(key);

    /// <summary>Calls that failed in <paramref name="maxTries"/> or more jobs, with their last error.</summary>
    public IEnumerable<(string Key, string Error)> GivenUp(int maxTries) =>
        _failures.Where(f => f.Value.Tries >= maxTries).Select(f => (f.Key, $"failed in {f.Value.Tries} batch job(s): {f.Value.Error}"));

    public int Tries(string key) => _failures.GetValueOrDefault(key).Tries;

    /// <summary>Writes a new submission's files; its state goes last, so a cut-off preparation leaves no submission.</summary>
    public BatchSubmission Prepare(IReadOnlyList<(string Line, BatchCallInfo Info)> requests)
    {
        var created = DateTime.UtcNow;
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(string.Join('\n', requests.Select(r => r.Info.Key)))))[..12];
        var submission = new BatchSubmission
        {
            Id = $"crossdomain-{created:yyyyMMddHHmmss}-{_submissions.Count:D4}-{hash}", Requests = requests.Count, CreatedUtc = created,
        };
        var folder = Path.Combine(_dir, submission.Id);
        System.IO.Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "requests.jsonl"), string.Join('\n', requests.Select(r => r.Line)) + "\n");
        AtomicFile.WriteAllText(Path.Combine(folder, "calls.jsonl"),
            string.Join('\n', requests.Select(r => JsonSerializer.Serialize(r.Info))) + "\n");
        Save(submission);
        _submissions.Add(submission);
        foreach (var r in requests) _inFlight.Add(r.Info.Key);
        return submission;
    }

    public void Save(BatchSubmission submission) =>
        AtomicFile.WriteAllText(Path.Combine(_dir, submission.Id, "state.json"), JsonSerializer.Serialize(submission, Json));

    public BinaryData RequestFile(BatchSubmission s) => BinaryData.FromBytes(File.ReadAllBytes(Path.Combine(_dir, s.Id, "requests.jsonl")));

    public IReadOnlyList<BatchCallInfo> Calls(BatchSubmission s) =>
        File.ReadLines(Path.Combine(_dir, s.Id, "calls.jsonl")).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<BatchCallInfo>(l)!).ToList();

    /// <summary>Marks a submission collected: its answers are in the cache, its failures recorded.</summary>
    public void Collected(BatchSubmission s, IReadOnlyList<(string Key, string Error)> failures)
    {
        if (failures.Count > 0)
        {
            File.AppendAllLines(Path.Combine(_dir, "failures.jsonl"), failures.Select(f => JsonSerializer.Serialize(new FailureLine(f.Key, f.Error, false))));
            foreach (var (key, error) in failures) _failures[key] = (_failures.GetValueOrDefault(key).Tries + 1, error);
        }
        s.Collected = true;
        s.Failed = failures.Count;
        Save(s);
        foreach (var c in Calls(s)) _inFlight.Remove(c.Key);
    }

    /// <summary>Clears the tries of calls reported as failed, so that the next run sends them again.</summary>
    public void Forget(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        if (list.Count == 0) return;
        File.AppendAllLines(Path.Combine(_dir, "failures.jsonl"), list.Select(k => JsonSerializer.Serialize(new FailureLine(k, "", true))));
        foreach (var k in list) _failures.Remove(k);
    }

    private sealed record FailureLine(
        [property: JsonPropertyName("key")] string Key, [property: JsonPropertyName("error")] string Error,
        [property: JsonPropertyName("forget")] bool Forget);
}
