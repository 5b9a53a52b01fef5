using System.Text;
using System.Text.Json.Nodes;
using CrossDomain.Engine.Graph;
using CrossDomain.Engine.Hashing;
using CrossDomain.Engine.Lock;

namespace CrossDomain.Engine.Run;

/// <summary>
/// The current state of everything a stage's result depends on, and its fingerprint: a hash of the kind and its
/// implementation version, the effective params, the content of each input file (data, prompt templates, schemas)
/// and upstream output, and the output paths. Two snapshots with equal fingerprints produce the same outputs.
/// </summary>
public sealed class StageSnapshot
{
    public required string Kind { get; init; }
    public required int Version { get; init; }
    public required string ParamsJson { get; init; }
    public required SortedDictionary<string, LockedFile> Inputs { get; init; }
    public required SortedDictionary<string, string> Upstream { get; init; }
    public required IReadOnlyList<string> OutputPaths { get; init; }
    public required string Fingerprint { get; init; }

    /// <summary>Takes a snapshot; returns null when an upstream output does not exist yet.</summary>
    public static StageSnapshot? Take(PipelineDefinition pipeline, StageDefinition stage, ContentHasher hasher)
    {
        var inputs = new SortedDictionary<string, LockedFile>(StringComparer.Ordinal);
        foreach (var input in stage.Inputs)
        {
            var h = hasher.TryHash(input.Path);
            if (h is null) return null;
            inputs[input.Key] = new LockedFile(pipeline.Relative(input.Path), h.Hash, h.Size);
        }
        var upstream = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var u in stage.Upstream)
        {
            if (u.Spec.RunRecord) continue; // facts of the upstream run, not data this stage reads as input
            var h = hasher.TryHash(u.Path);
            if (h is null) return null;
            upstream[u.Id] = h.Hash;
        }
        var paramsJson = CanonicalJson.Sort(stage.ParamsJson);
        // Output paths are part of what the stage does (moving an output is a change).
        var outputs = stage.Outputs.OrderBy(x => x.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={pipeline.Relative(o.Value.Path)}").ToList();
        var snapshot = new StageSnapshot
        {
            Kind = stage.Kind.Name, Version = stage.Kind.Version, ParamsJson = paramsJson, Inputs = inputs, Upstream = upstream,
            OutputPaths = outputs, Fingerprint = "",
        };
        return snapshot.With(snapshot.FingerprintOf(new HashSet<string>()));
    }

    private StageSnapshot With(string fingerprint) => new()
    {
        Kind = Kind, Version = Version, ParamsJson = ParamsJson, Inputs = Inputs, Upstream = Upstream, OutputPaths = OutputPaths, Fingerprint = fingerprint,
    };

    /// <summary>
    /// The fingerprint as a lock of format 1 computed it, when the engine still told prompt templates from other
    /// inputs: the inputs named in <paramref name="promptKeys"/> hashed as "prompt:" lines after the others. A lock
    /// entry of that format whose fingerprint equals this one is fresh, and is rewritten in the current format.
    /// </summary>
    public string LegacyFingerprint(IReadOnlySet<string> promptKeys) => FingerprintOf(promptKeys);

    private string FingerprintOf(IReadOnlySet<string> promptKeys)
    {
        var text = new StringBuilder();
        text.Append("kind=").Append(Kind).Append('\n').Append("version=").Append(Version).Append('\n');
        text.Append("params=").Append(ParamsJson).Append('\n');
        foreach (var (k, f) in Inputs) if (!promptKeys.Contains(k)) text.Append("input:").Append(k).Append('=').Append(f.Hash).Append('\n');
        foreach (var (k, f) in Inputs) if (promptKeys.Contains(k)) text.Append("prompt:").Append(k).Append('=').Append(f.Hash).Append('\n');
        foreach (var (k, h) in Upstream) text.Append("upstream:").Append(k).Append('=').Append(h).Append('\n');
        foreach (var o in OutputPaths) text.Append("out:").Append(o).Append('\n');
        return ContentHasher.HashText(text.ToString());
    }

    /// <summary>Human-readable differences between a locked run and this snapshot.</summary>
    public IEnumerable<string> DiffAgainst(LockedStage locked)
    {
        if (locked.Kind != Kind) yield return $"stage kind changed ({locked.Kind} -> {Kind})";
        else if (locked.Version != Version) yield return $"implementation of '{Kind}' changed (version {locked.Version} -> {Version})";
        foreach (var d in CanonicalJson.Diff(JsonNode.Parse(locked.ParamsJson), JsonNode.Parse(ParamsJson), ""))
            yield return d;
        foreach (var d in DiffFiles("input", locked.Inputs, Inputs)) yield return d;
        foreach (var (k, h) in Upstream)
            if (!locked.Upstream.TryGetValue(k, out var old)) yield return $"new upstream dependency {k}";
            else if (old != h) yield return $"upstream output {k} changed";
        foreach (var k in locked.Upstream.Keys)
            if (!Upstream.ContainsKey(k)) yield return $"upstream dependency {k} removed";
    }

    private static IEnumerable<string> DiffFiles(string what, SortedDictionary<string, LockedFile> before, SortedDictionary<string, LockedFile> now)
    {
        foreach (var (k, f) in now)
            if (!before.TryGetValue(k, out var old)) yield return $"new {what} {f.Path} ({k})";
            else if (old.Path != f.Path) yield return $"{what} {k} now points to {f.Path} (was {old.Path})";
            else if (old.Hash != f.Hash) yield return $"{what} {f.Path} changed";
        foreach (var (k, f) in before)
            if (!now.ContainsKey(k)) yield return $"{what} {f.Path} ({k}) removed";
    }
}

/// <summary>Helpers for comparing params as JSON, independent of key order.</summary>
public static class CanonicalJson
{
    public static string Sort(string json) => Sort(JsonNode.Parse(json))?.ToJsonString() ?? "null";

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, Sort(kv.Value)))),
        JsonArray a => new JsonArray(a.Select(Sort).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    /// <summary>Lists "param a.b changed: 10 -> 5" for every leaf that differs.</summary>
    public static IEnumerable<string> Diff(JsonNode? before, JsonNode? after, string key)
    {
        if (before is JsonObject bo && after is JsonObject ao)
        {
            foreach (var k in bo.Select(kv => kv.Key).Union(ao.Select(kv => kv.Key)).Order(StringComparer.Ordinal))
            {
                var childKey = key.Length == 0 ? k : $"{key}.{k}";
                if (!bo.ContainsKey(k)) yield return $"param {childKey} added: {Show(ao[k])}";
                else if (!ao.ContainsKey(k)) yield return $"param {childKey} removed (was {Show(bo[k])})";
                else foreach (var d in Diff(bo[k], ao[k], childKey)) yield return d;
            }
            yield break;
        }
        if (!JsonNode.DeepEquals(before, after))
            yield return $"param {(key.Length == 0 ? "(all)" : key)} changed: {Show(before)} -> {Show(after)}";
    }

    private static string Show(JsonNode? n)
    {
        var s = n?.ToJsonString() ?? "null";
        return s.Length > 60 ? s[..57] + "..." : s;
    }
}
