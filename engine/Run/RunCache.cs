using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrossDomain.Engine.Graph;
using CrossDomain.Engine.Hashing;

namespace CrossDomain.Engine.Run;

/// <summary>
/// The run-cache (DVC's <c>dvc/stage/cache.py</c>, <c>StageCache.save/restore</c>): the outputs of every successful
/// stage run, kept under <c>artifacts/.cache/runs/&lt;fingerprint&gt;/</c>. A stale stage whose current fingerprint
/// (kind, version, params, inputs, prompts, upstream outputs, output paths) has an entry gets those outputs back
/// instead of running again, so switching a param back costs a copy, not a retraining.
/// <para>
/// Files are hard-linked into the cache where the file system allows (the engine never writes an output in place:
/// every run renames new files over old ones, so a link keeps the old content), copied otherwise. A restore is
/// verified against the hashes the entry recorded; an entry that does not verify (an output edited in place through
/// a link) is dropped and the stage runs. Stages with outputs written in place (resumable downloads) are not cached.
/// </para>
/// </summary>
public sealed class RunCache(string artifactsRoot)
{
    private const string EntryFile = "entry.json";
    private const string OutputsFolder = "outs";

    public string Root { get; } = Path.Combine(artifactsRoot, ".cache", "runs");

    /// <summary>One cached run: the stage that made it and each output's file name, hash and size.</summary>
    public sealed record Entry(
        [property: JsonPropertyName("stage")] string Stage,
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("fingerprint")] string Fingerprint,
        [property: JsonPropertyName("duration_s")] double DurationSeconds,
        [property: JsonPropertyName("ran_at")] DateTimeOffset RanAt,
        [property: JsonPropertyName("outs")] SortedDictionary<string, CachedOutput> Outputs);

    public sealed record CachedOutput(
        [property: JsonPropertyName("file")] string FileName,
        [property: JsonPropertyName("hash")] string Hash,
        [property: JsonPropertyName("size")] long Size);

    public static bool Applies(StageDefinition stage) => !stage.Outputs.Values.Any(o => o.Spec.WrittenInPlace);

    private string Folder(string fingerprint) =>
        Path.Combine(Root, new string(fingerprint.Replace("xxh128:", "").Where(char.IsAsciiLetterOrDigit).ToArray()));

    /// <summary>The entry for this fingerprint, or null when there is none (or it cannot be read).</summary>
    public Entry? Find(string fingerprint)
    {
        var path = Path.Combine(Folder(fingerprint), EntryFile);
        if (!File.Exists(path)) return null;
        try
        {
            var entry = JsonSerializer.Deserialize<Entry>(File.ReadAllBytes(path));
            return entry is not null && entry.Fingerprint == fingerprint ? entry : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>The reason <c>status</c> and <c>run --dry-run</c> add when this state of the stage can be restored; null when it cannot.</summary>
    public string? RestoreNote(StageDefinition stage, string? fingerprint) =>
        fingerprint is not null && Applies(stage) && Find(fingerprint) is not null
            ? "the run-cache holds its outputs for this state: run restores them instead of recomputing"
            : null;

    /// <summary>Keeps the outputs a stage just wrote (at their final paths) under its fingerprint, replacing an older entry.</summary>
    public void Save(StageDefinition stage, string fingerprint, IReadOnlyDictionary<string, (string Hash, long Size)> hashes, double seconds, DateTimeOffset ranAt)
    {
        Directory.CreateDirectory(Root);
        var temp = Path.Combine(Root, $".tmp.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            var outputs = new SortedDictionary<string, CachedOutput>(StringComparer.Ordinal);
            foreach (var (name, output) in stage.Outputs)
            {
                LinkOrCopy(output.Path, Path.Combine(temp, OutputsFolder, name, output.Spec.FileName));
                outputs[name] = new CachedOutput(output.Spec.FileName, hashes[name].Hash, hashes[name].Size);
            }
            var entry = new Entry(stage.Name, stage.Kind.Name, fingerprint, Math.Round(seconds, 3), ranAt, outputs);
            File.WriteAllBytes(Path.Combine(temp, EntryFile), JsonSerializer.SerializeToUtf8Bytes(entry, new JsonSerializerOptions { WriteIndented = true }));
            var folder = Folder(fingerprint);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Directory.Move(temp, folder);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>
    /// Puts the cached outputs of <paramref name="entry"/> at <paramref name="targets"/> (output name → path, in a
    /// temporary folder) and checks them against the recorded hashes. Returns null on success, else what was wrong;
    /// the entry is then dropped.
    /// </summary>
    public string? Restore(Entry entry, IReadOnlyDictionary<string, string> targets)
    {
        var folder = Folder(entry.Fingerprint);
        string? problem = null;
        if (!targets.Keys.Order(StringComparer.Ordinal).SequenceEqual(entry.Outputs.Keys))
            problem = $"it holds outputs {string.Join(", ", entry.Outputs.Keys)}, the stage declares {string.Join(", ", targets.Keys)}";
        else
        {
            var hasher = new ContentHasher();
            foreach (var (name, cached) in entry.Outputs)
            {
                var source = Path.Combine(folder, OutputsFolder, name, cached.FileName);
                if (!File.Exists(source) && !Directory.Exists(source)) { problem = $"output {name} is missing from it"; break; }
                LinkOrCopy(source, targets[name]);
                if (hasher.TryHash(targets[name]) is not { } h || h.Hash != cached.Hash) { problem = $"output {name} no longer has the content it recorded"; break; }
            }
        }
        if (problem is not null)
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { /* a later save replaces it */ }
        return problem;
    }

    /// <summary>Every entry's folder, for <c>clean --run-cache</c>.</summary>
    public IReadOnlyList<string> Entries() => Directory.Exists(Root)
        ? [.. Directory.GetDirectories(Root).Where(d => File.Exists(Path.Combine(d, EntryFile)))]
        : [];

    private static void LinkOrCopy(string source, string destination)
    {
        if (Directory.Exists(source))
        {
            Directory.CreateDirectory(destination);
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
                LinkOrCopy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        if (OperatingSystem.IsWindows() || link(source, destination) != 0) File.Copy(source, destination, overwrite: true);
    }

    // POSIX link(2); fails across file systems (EXDEV) or where links are not supported, and the copy takes over.
    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldPath, string newPath);
}
