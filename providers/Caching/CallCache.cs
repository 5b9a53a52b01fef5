using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Serialization;

namespace CrossDomain.Providers.Caching;

/// <summary>
/// Durable per-call cache of LLM answers, in one folder:
/// <list type="bullet">
/// <item><c>segments/*.jsonl</c>: each process appends to its own segment and flushes after every answer, so a
/// SIGKILL loses at most the calls in flight; a torn last line is ignored on load. A writer holds its segment
/// with a shared lock, so concurrent writers never touch each other's files.</item>
/// <item><c>cache.parquet</c>: segments that no process holds any more are merged into it (atomically replaced)
/// when a cache is disposed. Read it with <c>crossdomain inspect</c>.</item>
/// </list>
/// </summary>
public sealed class CallCache : IDisposable
{
    public const string TableName = "cache.parquet";
    private const string SegmentsFolder = "segments";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    private readonly ConcurrentDictionary<string, CachedCall> _calls = new(StringComparer.Ordinal);
    private readonly object _writeLock = new();
    private readonly string _directory;
    private FileStream? _segment;
    private bool _disposed;

    public string Directory => _directory;
    public int Count => _calls.Count;
    /// <summary>Lines of segments that could not be read (torn by a kill mid-write); they are dropped at compaction.</summary>
    public int TornLines { get; private set; }

    private CallCache(string directory) => _directory = directory;

    public static async Task<CallCache> OpenAsync(string directory, CancellationToken ct = default)
    {
        var cache = new CallCache(Path.GetFullPath(directory));
        System.IO.Directory.CreateDirectory(Path.Combine(cache._directory, SegmentsFolder));
        var table = Path.Combine(cache._directory, TableName);
        if (File.Exists(table)) await cache.LoadTableAsync(table, ct);
        foreach (var segment in SegmentFiles(cache._directory))
            cache.TornLines += ReadSegment(segment, c => cache._calls[c.Key] = c);
        return cache;
    }

    /// <summary>
    /// Reads only what a lookup needs (key, response, token counts): the other columns are for people, and skipping
    /// them keeps a fully cached rerun fast. Compaction reads whole rows.
    /// </summary>
    private async Task LoadTableAsync(string table, CancellationToken ct)
    {
        await using var stream = File.OpenRead(table);
        await using var reader = await ParquetReader.CreateAsync(stream, null, false, ct);
        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name);
        foreach (var name in new[] { "key", "response", "tokens_in", "tokens_out" })
            if (!fields.ContainsKey(name)) throw new InvalidDataException($"{table}: no column '{name}'; is this an LLM call cache?");
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            var n = (int)rg.RowCount;
            var keys = new string?[n];
            var responses = new string?[n];
            var tokensIn = new long[n];
            var tokensOut = new long[n];
            await rg.ReadAsync(fields["key"], keys.AsMemory(), null, ct);
            await rg.ReadAsync(fields["response"], responses.AsMemory(), null, ct);
            await rg.ReadAsync<long>(fields["tokens_in"], tokensIn.AsMemory(), null, ct);
            await rg.ReadAsync<long>(fields["tokens_out"], tokensOut.AsMemory(), null, ct);
            for (int i = 0; i < n; i++)
                if (keys[i] is { Length: > 0 } key)
                    _calls[key] = new CachedCall { Key = key, Response = responses[i] ?? "", TokensIn = tokensIn[i], TokensOut = tokensOut[i] };
        }
    }

    /// <summary>The cache key: XXH128 over the length-prefixed parts, as 32 hex digits.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // hot on cached reruns: skip tier-0
    public static string Key(params string[] parts)
    {
        var hash = new XxHash128();
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BitConverter.TryWriteBytes(length, bytes.Length);
            hash.Append(length);
            hash.Append(bytes);
        }
        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    public bool TryGet(string key, out CachedCall call) => _calls.TryGetValue(key, out call!);

    /// <summary>Records an answer durably before returning (written and flushed to the OS).</summary>
    public void Add(CachedCall call)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var line = JsonSerializer.SerializeToUtf8Bytes(call, Json);
        lock (_writeLock)
        {
            _segment ??= CreateSegment();
            _segment.Write(line);
            _segment.WriteByte((byte)'\n');
            _segment.Flush();
        }
        _calls[call.Key] = call;
    }

    public IEnumerable<CachedCall> All => _calls.Values;

    private FileStream CreateSegment()
    {
        var name = $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Environment.ProcessId}-{Guid.NewGuid():N}.jsonl";
        // FileShare.Read takes a shared advisory lock: readers may load it, compaction (exclusive) skips it.
        return new FileStream(Path.Combine(_directory, SegmentsFolder, name), FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16);
    }

    private static IEnumerable<string> SegmentFiles(string directory) =>
        System.IO.Directory.EnumerateFiles(Path.Combine(directory, SegmentsFolder), "*.jsonl").Order(StringComparer.Ordinal);

    private static int ReadSegment(string path, Action<CachedCall> add)
    {
        int torn = 0;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0) continue;
                try
                {
                    if (JsonSerializer.Deserialize<CachedCall>(line, Json) is { Key.Length: > 0 } call) add(call);
                    else torn++;
                }
                catch (JsonException) { torn++; }
            }
        }
        catch (FileNotFoundException) { } // merged and deleted by a concurrent compaction: its calls are in the table
        return torn;
    }

    /// <summary>
    /// Merges every segment no process holds into <c>cache.parquet</c>. Skipped when another process is compacting.
    /// </summary>
    public async Task CompactAsync(CancellationToken ct = default)
    {
        lock (_writeLock)
        {
            _segment?.Dispose();
            _segment = null;
        }
        FileStream guard;
        try { guard = new FileStream(Path.Combine(_directory, "compact.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return; } // someone else compacts now
        using (guard)
        {
            var merged = new Dictionary<string, CachedCall>(StringComparer.Ordinal);
            var table = Path.Combine(_directory, TableName);
            var held = new List<FileStream>();
            try
            {
                foreach (var path in SegmentFiles(_directory))
                {
                    FileStream exclusive;
                    try { exclusive = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None); }
                    catch (IOException) { continue; } // a live writer holds it
                    held.Add(exclusive);
                    using var reader = new StreamReader(exclusive, Encoding.UTF8, leaveOpen: true);
                    while (reader.ReadLine() is { } line)
                    {
                        if (line.Length == 0) continue;
                        try { if (JsonSerializer.Deserialize<CachedCall>(line, Json) is { Key.Length: > 0 } c) merged[c.Key] = c; }
                        catch (JsonException) { }
                    }
                }
                if (held.Count == 0) return;
                if (File.Exists(table))
                {
                    await using var stream = File.OpenRead(table);
                    foreach (var call in (await ParquetSerializer.DeserializeAsync<CachedCall>(stream, null, null, ct)).Data)
                        merged.TryAdd(call.Key, call); // a key in both: the segment's (newer) answer wins
                }
                var rows = merged.Values.OrderBy(c => c.Task, StringComparer.Ordinal).ThenBy(c => c.Subject, StringComparer.Ordinal)
                    .ThenBy(c => c.Sample).ThenBy(c => c.Attempt).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
                var temp = table + $".{Guid.NewGuid():N}.tmp";
                await using (var output = File.Create(temp))
                    await ParquetSerializer.SerializeAsync(rows, output, new Parquet.ParquetOptions { RowGroupSize = 50_000, CompressionMethod = Parquet.CompressionMethod.Snappy }, null, ct);
                File.Move(temp, table, overwrite: true);
                foreach (var s in held) File.Delete(s.Name); // only after the table that holds their calls is in place
            }
            finally
            {
                foreach (var s in held) s.Dispose();
            }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_writeLock)
        {
            _segment?.Dispose();
            _segment = null;
        }
    }
}
