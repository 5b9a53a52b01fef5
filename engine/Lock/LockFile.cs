using System.Text.Json;
using System.Text.Json.Nodes;
using CrossDomain.Engine.Hashing;

namespace CrossDomain.Engine.Lock;

/// <summary>What the lock remembers of one file: its path relative to the project root, hash and size.</summary>
public sealed record LockedFile(string Path, string Hash, long Size);

/// <summary>What the lock remembers of one stage run.</summary>
public sealed class LockedStage
{
    public required string Kind { get; init; }
    public required int Version { get; init; }
    public required string Fingerprint { get; init; }
    /// <summary>Effective params as canonical JSON, so <c>status</c> can name the param that changed.</summary>
    public required string ParamsJson { get; init; }
    /// <summary>External inputs (data, prompt templates, schemas) by param/dep key.</summary>
    public SortedDictionary<string, LockedFile> Inputs { get; init; } = new(StringComparer.Ordinal);
    /// <summary>
    /// The inputs that a lock of format 1 kept apart as prompts (they are inputs now); its fingerprint hashed them
    /// apart too (<see cref="Run.StageSnapshot.LegacyFingerprint"/>). Empty for entries of the current format.
    /// </summary>
    public IReadOnlySet<string> LegacyPromptKeys { get; init; } = new HashSet<string>();
    /// <summary>Upstream output id (stage.output) to the hash it had when this stage ran.</summary>
    public SortedDictionary<string, string> Upstream { get; init; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, LockedFile> Outputs { get; init; } = new(StringComparer.Ordinal);
    public double DurationSeconds { get; init; }
    public DateTimeOffset RanAt { get; init; }

    /// <summary>The same entry under another fingerprint, in the current format (an upgraded format-1 entry).</summary>
    public LockedStage WithFingerprint(string fingerprint) => new()
    {
        Kind = Kind, Version = Version, Fingerprint = fingerprint, ParamsJson = ParamsJson, Inputs = Inputs, Upstream = Upstream,
        Outputs = Outputs, DurationSeconds = DurationSeconds, RanAt = RanAt,
    };
}

/// <summary>
/// pipeline.lock: one JSON document, stages and keys in ordinal order, one value per line, so that the same state
/// always gives the same bytes and a diff shows exactly what changed. Written atomically.
/// </summary>
public sealed class LockFile
{
    /// <summary>2: prompt templates are inputs like any other (format 1 listed them under "prompts"; still read).</summary>
    public const int FormatVersion = 2;
    public SortedDictionary<string, LockedStage> Stages { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The pipeline's lock. Where its root has none yet but a lock from before locks moved into the artifacts root
    /// exists beside the config, the entries of that old lock whose recorded outputs are exactly where this pipeline
    /// puts them are taken over (entries of another root that shared the old file are not); the next save writes them
    /// to the new place. Freshness is still checked against the outputs' hashes, so nothing stale is adopted.
    /// </summary>
    public static LockFile Open(Graph.PipelineDefinition pipeline)
    {
        if (File.Exists(pipeline.LockPath) || pipeline.LegacyLockPath is not { } legacy || !File.Exists(legacy)) return Load(pipeline.LockPath);
        var old = Load(legacy);
        var adopted = new LockFile();
        foreach (var (name, entry) in old.Stages)
            if (pipeline.Find(name) is { } stage && stage.Outputs.Count == entry.Outputs.Count
                && stage.Outputs.All(o => entry.Outputs.TryGetValue(o.Key, out var f) && f.Path == pipeline.Relative(o.Value.Path)))
                adopted.Stages[name] = entry;
        return adopted;
    }

    public static LockFile Load(string path)
    {
        var lockFile = new LockFile();
        if (!File.Exists(path)) return lockFile;
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a valid lock file ({e.Message}); delete it to start over", e); }
        var stages = root?["stages"]?.AsObject() ?? [];
        foreach (var (name, node) in stages)
        {
            if (node is null) continue;
            var inputs = Files(node["inputs"]);
            var prompts = Files(node["prompts"]);
            foreach (var (k, f) in prompts) inputs[k] = f;
            lockFile.Stages[name] = new LockedStage
            {
                Kind = (string)node["kind"]!,
                Version = (int)node["version"]!,
                Fingerprint = (string)node["fingerprint"]!,
                ParamsJson = node["params"]?.ToJsonString() ?? "{}",
                Inputs = inputs,
                LegacyPromptKeys = prompts.Keys.ToHashSet(StringComparer.Ordinal),
                Upstream = new(node["upstream"]?.AsObject().ToDictionary(kv => kv.Key, kv => (string)kv.Value!) ?? [], StringComparer.Ordinal),
                Outputs = Files(node["outs"]),
                DurationSeconds = (double?)node["duration_s"] ?? 0,
                RanAt = DateTimeOffset.Parse((string?)node["ran_at"] ?? "2000-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        return lockFile;
    }

    private static SortedDictionary<string, LockedFile> Files(JsonNode? node)
    {
        var result = new SortedDictionary<string, LockedFile>(StringComparer.Ordinal);
        if (node is JsonObject obj)
            foreach (var (k, v) in obj)
                result[k] = new LockedFile((string)v!["path"]!, (string)v["hash"]!, (long)v["size"]!);
        return result;
    }

    public string Serialize()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("lock_version", FormatVersion);
            w.WriteStartObject("stages");
            foreach (var (name, s) in Stages)
            {
                w.WriteStartObject(name);
                w.WriteString("kind", s.Kind);
                w.WriteNumber("version", s.Version);
                w.WriteString("fingerprint", s.Fingerprint);
                w.WritePropertyName("params");
                WriteSorted(w, JsonNode.Parse(s.ParamsJson));
                WriteFiles(w, "inputs", s.Inputs);
                w.WriteStartObject("upstream");
                foreach (var (k, v) in s.Upstream) w.WriteString(k, v);
                w.WriteEndObject();
                WriteFiles(w, "outs", s.Outputs);
                w.WriteNumber("duration_s", Math.Round(s.DurationSeconds, 3));
                w.WriteString("ran_at", s.RanAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static void WriteFiles(Utf8JsonWriter w, string name, SortedDictionary<string, LockedFile> files)
    {
        w.WriteStartObject(name);
        foreach (var (k, f) in files)
        {
            w.WriteStartObject(k);
            w.WriteString("path", f.Path);
            w.WriteString("hash", f.Hash);
            w.WriteNumber("size", f.Size);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>Writes JSON with object keys in ordinal order (params of nested records included).</summary>
    private static void WriteSorted(Utf8JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                w.WriteStartObject();
                foreach (var (k, v) in obj.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.WritePropertyName(k);
                    WriteSorted(w, v);
                }
                w.WriteEndObject();
                break;
            case JsonArray arr:
                w.WriteStartArray();
                foreach (var v in arr) WriteSorted(w, v);
                w.WriteEndArray();
                break;
            case null:
                w.WriteNullValue();
                break;
            default:
                node.WriteTo(w);
                break;
        }
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, Serialize());
}
