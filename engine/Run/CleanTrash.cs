using System.Text.Json;
using CrossDomain.Engine.Graph;
using CrossDomain.Engine.Lock;

namespace CrossDomain.Engine.Run;

/// <summary>
/// Where <c>clean</c> puts what it removes: <c>&lt;artifacts&gt;/.clean-trash/&lt;UTC time&gt;/</c>, each item moved
/// (a rename, not a copy, when it is on the same disk) with a manifest of where it came from and the lock entries
/// that went with it. <c>clean --restore</c> puts the newest one back; the next <c>run</c> or <c>clean --purge</c>
/// deletes them for good.
/// </summary>
public sealed class CleanTrash(PipelineDefinition pipeline)
{
    public const string FolderName = ".clean-trash";
    public string Root => Path.Combine(pipeline.ArtifactsRoot, FolderName);

    private sealed record ManifestItem(string Stage, string Output, string Path, string Trashed, long Size);
    private sealed record Manifest(string Config, DateTimeOffset CleanedAt, List<ManifestItem> Items);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Moves the plan's items into a new trash folder and drops its lock entries (the lock is saved).</summary>
    public string Move(CleanPlan plan, LockFile lockFile)
    {
        var dir = Path.Combine(Root, DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.Combine(dir, "items"));
        var removed = new LockFile();
        foreach (var s in plan.DroppedEntries) removed.Stages[s] = lockFile.Stages[s];
        removed.Save(Path.Combine(dir, "lock.json"));
        var manifest = new Manifest(pipeline.Relative(pipeline.ConfigPath), DateTimeOffset.UtcNow,
            plan.Items.Select((it, i) => new ManifestItem(it.Stage, it.Output, pipeline.Relative(it.Path), $"items/{i}", it.Size)).ToList());
        // The manifest is written before anything moves, so a crash mid-way leaves every item findable.
        Hashing.AtomicFile.WriteAllBytes(Path.Combine(dir, "manifest.json"), JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
        for (int i = 0; i < plan.Items.Count; i++) MovePath(plan.Items[i].Path, Path.Combine(dir, "items", i.ToString()));
        foreach (var s in plan.DroppedEntries) lockFile.Stages.Remove(s);
        lockFile.Save(pipeline.LockPath);
        return dir;
    }

    /// <summary>Puts the newest clean back: items whose place is free, and lock entries the lock no longer has.</summary>
    public (List<string> Restored, List<string> Skipped) RestoreNewest(LockFile lockFile)
    {
        var dir = Directory.Exists(Root) ? Directory.GetDirectories(Root).Order(StringComparer.Ordinal).LastOrDefault() : null;
        if (dir is null) throw new ArgumentException($"nothing to restore: {pipeline.Relative(Root)} is empty (the trash is emptied by every run)");
        var manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllBytes(Path.Combine(dir, "manifest.json")), Json)!;
        var restored = new List<string>();
        var skipped = new List<string>();
        foreach (var item in manifest.Items)
        {
            var from = Path.Combine(dir, item.Trashed);
            var to = Path.GetFullPath(Path.Combine(pipeline.Root, item.Path));
            if (!File.Exists(from) && !Directory.Exists(from)) continue;
            if (File.Exists(to) || Directory.Exists(to)) { skipped.Add($"{item.Path} (something new is there; its trashed copy stays in {pipeline.Relative(from)})"); continue; }
            MovePath(from, to);
            restored.Add(item.Path);
        }
        foreach (var (name, entry) in LockFile.Load(Path.Combine(dir, "lock.json")).Stages)
            lockFile.Stages.TryAdd(name, entry);
        lockFile.Save(pipeline.LockPath);
        if (skipped.Count == 0) Directory.Delete(dir, recursive: true);
        return (restored, skipped);
    }

    /// <summary>Deletes everything in the trash for good.</summary>
    public (int Items, long Bytes) Empty()
    {
        if (!Directory.Exists(Root)) return (0, 0);
        int items = 0;
        long bytes = 0;
        foreach (var dir in Directory.GetDirectories(Root))
        {
            try
            {
                var manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllBytes(Path.Combine(dir, "manifest.json")), Json);
                items += manifest?.Items.Count ?? 0;
                bytes += manifest?.Items.Sum(i => i.Size) ?? 0;
            }
            catch (Exception e) when (e is IOException or JsonException) { /* a torn manifest still gets deleted */ }
            Directory.Delete(dir, recursive: true);
        }
        Directory.Delete(Root, recursive: true);
        return (items, bytes);
    }

    private static void MovePath(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        try
        {
            if (Directory.Exists(from)) Directory.Move(from, to);
            else File.Move(from, to);
        }
        catch (IOException) when (Directory.Exists(from))
        {
            // Another disk (an outs: path outside the artifacts root): copy, then delete.
            CopyDirectory(from, to);
            Directory.Delete(from, recursive: true);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) CopyDirectory(d, Path.Combine(to, Path.GetFileName(d)));
    }
}
