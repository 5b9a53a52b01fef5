using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace CrossDomain.Engine.Hashing;

/// <summary>Size and content hash of a file or directory.</summary>
public sealed record ContentHash(string Hash, long Size, int Files = 1);

/// <summary>
/// Content hashes (XXH128) of files and directories, with a DVC-style state cache: a file whose size and mtime
/// match the cached entry is not read again. On mismatch the file is re-read and the cache updated, so a touched
/// but unchanged file still hashes equal.
/// </summary>
public sealed class ContentHasher
{
    private readonly string? _statePath;
    private readonly Dictionary<string, StateEntry> _state;
    private bool _dirty;

    public int FilesRead { get; private set; }
    public long BytesRead { get; private set; }

    private sealed record StateEntry(long Size, long MtimeTicks, string Hash);

    /// <param name="statePath">Where the size/mtime cache is kept; null keeps it in memory only.</param>
    public ContentHasher(string? statePath = null)
    {
        _statePath = statePath;
        _state = new(StringComparer.Ordinal);
        if (statePath is not null && File.Exists(statePath))
        {
            try
            {
                var loaded = JsonSerializer.Deserialize<Dictionary<string, StateEntry>>(File.ReadAllBytes(statePath));
                if (loaded is not null) _state = new(loaded, StringComparer.Ordinal);
            }
            catch (JsonException)
            {
                // A corrupt cache only costs re-hashing; never fail a run for it.
            }
        }
    }

    public ContentHash? TryHash(string path)
    {
        if (File.Exists(path)) return HashFile(path);
        if (Directory.Exists(path)) return HashDirectory(path);
        return null;
    }

    public ContentHash HashFile(string path)
    {
        var info = new FileInfo(path);
        var key = Path.GetFullPath(path);
        var mtime = info.LastWriteTimeUtc.Ticks;
        if (_state.TryGetValue(key, out var e) && e.Size == info.Length && e.MtimeTicks == mtime)
            return new ContentHash(e.Hash, e.Size);
        var hash = ComputeFileHash(path);
        FilesRead++;
        BytesRead += info.Length;
        _state[key] = new StateEntry(info.Length, mtime, hash);
        _dirty = true;
        return new ContentHash(hash, info.Length);
    }

    /// <summary>Hash of a directory: of each file's relative path and content hash, in ordinal order.</summary>
    public ContentHash HashDirectory(string path)
    {
        var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Select(f => (Rel: Path.GetRelativePath(path, f).Replace('\\', '/'), Full: f))
            .OrderBy(f => f.Rel, StringComparer.Ordinal).ToList();
        var h = new XxHash128();
        long size = 0;
        foreach (var (rel, full) in files)
        {
            var fh = HashFile(full);
            size += fh.Size;
            h.Append(Encoding.UTF8.GetBytes($"{rel}\0{fh.Hash}\n"));
        }
        return new ContentHash("xxh128:" + Convert.ToHexStringLower(h.GetCurrentHash()), size, files.Count);
    }

    public static string ComputeFileHash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var h = new XxHash128();
        h.Append(stream);
        return "xxh128:" + Convert.ToHexStringLower(h.GetCurrentHash());
    }

    public static string HashText(string text)
    {
        var h = new XxHash128();
        h.Append(Encoding.UTF8.GetBytes(text));
        return "xxh128:" + Convert.ToHexStringLower(h.GetCurrentHash());
    }

    /// <summary>Forgets cached entries under a path (after the engine replaced it).</summary>
    public void Forget(string path)
    {
        var full = Path.GetFullPath(path);
        foreach (var k in _state.Keys.Where(k => k == full || k.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal)).ToList())
        {
            _state.Remove(k);
            _dirty = true;
        }
    }

    public void Save()
    {
        if (!_dirty || _statePath is null) return;
        // Drop entries for files that no longer exist so the cache does not grow forever.
        foreach (var k in _state.Keys.Where(k => !File.Exists(k)).ToList()) _state.Remove(k);
        Directory.CreateDirectory(Path.GetDirectoryName(_statePath)!);
        AtomicFile.WriteAllBytes(_statePath, JsonSerializer.SerializeToUtf8Bytes(_state));
        _dirty = false;
    }
}
