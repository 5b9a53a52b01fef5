using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;
using Parquet;
using Parquet.Serialization;

namespace CrossDomain.Providers.Caching;

/// <summary>
/// Durable per-call cache of LLM answers (and embedding vectors), in one folder:
/// <list type="bullet">
/// <item><c>cache.db</c>: SQLite in WAL mode, one row per call. Each <see cref="Add"/> is its own transaction, so a
/// SIGKILL loses at most the calls in flight; several processes write to it at once (SQLite's locking, with a busy
/// timeout). Lookups are served from memory, loaded when the cache is opened.</item>
/// <item><c>cache.parquet</c>: an export of every row for people, rewritten atomically when a cache is compacted
/// (<see cref="CompactAsync"/>); read it with <c>crossdomain inspect</c>.</item>
/// </list>
/// A folder written before the database existed (<c>segments/*.jsonl</c> and <c>cache.parquet</c>) is imported on
/// open, nothing lost. The cache is also an <see cref="IDistributedCache"/> (values: a <see cref="CachedCall"/> as
/// JSON), for middleware that speaks that interface.
/// </summary>
public sealed class CallCache : IDisposable, IDistributedCache
{
    public const string TableName = "cache.parquet";
    public const string DatabaseName = "cache.db";
    private const string LegacySegments = "segments";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private const string Columns = "key, task, subject, sample, attempt, provider, model, template, response, tokens_in, tokens_out, latency_ms, created_utc";

    private readonly ConcurrentDictionary<string, CachedCall> _calls = new(StringComparer.Ordinal);
    private readonly object _writeLock = new();
    private readonly string _directory;
    private readonly SqliteConnection _connection;
    private SqliteCommand? _insert;
    private bool _disposed;

    public string Directory => _directory;
    public int Count => _calls.Count;

    private CallCache(string directory, SqliteConnection connection) => (_directory, _connection) = (directory, connection);

    public static async Task<CallCache> OpenAsync(string directory, CancellationToken ct = default)
    {
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, DatabaseName), Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 60,
        }.ToString());
        await connection.OpenAsync(ct);
        var cache = new CallCache(directory, connection);
        try
        {
            // WAL: readers never block the writer; synchronous NORMAL: a commit is in the OS before it returns (a killed
            // process loses nothing committed), fsync at checkpoints. busy_timeout: writers of other processes wait.
            cache.Execute("PRAGMA busy_timeout = 60000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
            cache.Execute("""
                CREATE TABLE IF NOT EXISTS calls (
                  key TEXT PRIMARY KEY NOT NULL, task TEXT NOT NULL, subject TEXT NOT NULL, sample INTEGER NOT NULL,
                  attempt INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, template TEXT NOT NULL,
                  response TEXT NOT NULL, tokens_in INTEGER NOT NULL, tokens_out INTEGER NOT NULL, latency_ms REAL NOT NULL,
                  created_utc TEXT NOT NULL)
                """);
            await cache.ImportLegacyAsync(ct);
            cache.Load();
            return cache;
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Reads only what a lookup needs (key, response, token counts) into memory: the other columns are for people.</summary>
    private void Load()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, response, tokens_in, tokens_out, task FROM calls";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = reader.GetString(0);
            _calls[key] = new CachedCall { Key = key, Response = reader.GetString(1), TokensIn = reader.GetInt64(2), TokensOut = reader.GetInt64(3), Task = reader.GetString(4) };
        }
    }

    /// <summary>
    /// A folder of the earlier format: its table, then its segments (newer, so their answers win), written into the
    /// database in one transaction; the segments are deleted only after it commits. A torn last line of a segment
    /// (a kill mid-write) is skipped.
    /// </summary>
    private async Task ImportLegacyAsync(CancellationToken ct)
    {
        var segmentsDir = Path.Combine(_directory, LegacySegments);
        var segments = System.IO.Directory.Exists(segmentsDir)
            ? System.IO.Directory.EnumerateFiles(segmentsDir, "*.jsonl").Order(StringComparer.Ordinal).ToList() : [];
        var table = Path.Combine(_directory, TableName);
        bool hasRows;
        using (var count = _connection.CreateCommand())
        {
            count.CommandText = "SELECT EXISTS (SELECT 1 FROM calls)";
            hasRows = Convert.ToInt64(count.ExecuteScalar()) != 0;
        }
        var importTable = !hasRows && File.Exists(table);
        if (!importTable && segments.Count == 0) return;
        var rows = new List<CachedCall>();
        if (importTable)
        {
            await using var stream = File.OpenRead(table);
            try { rows.AddRange((await ParquetSerializer.DeserializeAsync<CachedCall>(stream, null, null, ct)).Data); }
            catch (Exception e) when (e is not OperationCanceledException) { throw new InvalidDataException($"{table}: cannot read as an LLM call cache ({e.Message})", e); }
        }
        foreach (var segment in segments)
            foreach (var line in File.ReadLines(segment))
            {
                if (line.Length == 0) continue;
                try { if (JsonSerializer.Deserialize<CachedCall>(line, Json) is { Key.Length: > 0 } call) rows.Add(call); }
                catch (JsonException) { }
            }
        lock (_writeLock)
        {
            using var transaction = _connection.BeginTransaction();
            using var insert = InsertCommand(transaction);
            foreach (var call in rows)
            {
                Bind(insert, call);
                insert.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        foreach (var segment in segments) File.Delete(segment);
    }

    public bool TryGet(string key, out CachedCall call) => _calls.TryGetValue(key, out call!);

    /// <summary>Records an answer durably before returning (committed to the database's write-ahead log).</summary>
    public void Add(CachedCall call)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_writeLock)
        {
            _insert ??= InsertCommand(null); // one prepared statement for every answer of this process
            Bind(_insert, call);
            _insert.ExecuteNonQuery();
        }
        _calls[call.Key] = call;
    }

    private SqliteCommand InsertCommand(SqliteTransaction? transaction)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT OR REPLACE INTO calls ({Columns}) VALUES ({string.Join(", ", Columns.Split(", ").Select(c => "$" + c))})";
        foreach (var name in Columns.Split(", ")) command.Parameters.Add(new SqliteParameter("$" + name, null));
        return command;
    }

    private static void Bind(SqliteCommand command, CachedCall c)
    {
        var p = command.Parameters;
        p["$key"].Value = c.Key; p["$task"].Value = c.Task; p["$subject"].Value = c.Subject; p["$sample"].Value = c.Sample;
        p["$attempt"].Value = c.Attempt; p["$provider"].Value = c.Provider; p["$model"].Value = c.Model; p["$template"].Value = c.Template;
        p["$response"].Value = c.Response; p["$tokens_in"].Value = c.TokensIn; p["$tokens_out"].Value = c.TokensOut;
        p["$latency_ms"].Value = c.LatencyMs; p["$created_utc"].Value = c.CreatedUtc.ToString("O");
    }

    /// <summary>The calls this process knows (loaded at open, plus its own); <see cref="ReadAll"/> reads every column of every row.</summary>
    public IEnumerable<CachedCall> All => _calls.Values;

    /// <summary>Every row of the database, every column (other processes' rows included).</summary>
    public List<CachedCall> ReadAll()
    {
        var rows = new List<CachedCall>();
        lock (_writeLock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM calls ORDER BY task, subject, sample, attempt, key";
            using var reader = command.ExecuteReader();
            while (reader.Read())
                rows.Add(new CachedCall
                {
                    Key = reader.GetString(0), Task = reader.GetString(1), Subject = reader.GetString(2), Sample = reader.GetInt32(3),
                    Attempt = reader.GetInt32(4), Provider = reader.GetString(5), Model = reader.GetString(6), Template = reader.GetString(7),
                    Response = reader.GetString(8), TokensIn = reader.GetInt64(9), TokensOut = reader.GetInt64(10), LatencyMs = reader.GetDouble(11),
                    CreatedUtc = DateTime.Parse(reader.GetString(12), null, System.Globalization.DateTimeStyles.RoundtripKind),
                });
        }
        return rows;
    }

    /// <summary>
    /// Writes every row to <c>cache.parquet</c> (atomically replaced) for <c>crossdomain inspect</c>, and folds the
    /// write-ahead log into the database. Skipped when another process is compacting.
    /// </summary>
    public async Task CompactAsync(CancellationToken ct = default)
    {
        FileStream guard;
        try { guard = new FileStream(Path.Combine(_directory, "compact.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return; } // someone else compacts now
        using (guard)
        {
            var table = Path.Combine(_directory, TableName);
            // The export is current when the database's row count and largest rowid are those it was written at (every
            // insert, replacement included, takes a new rowid): a fully cached rerun rewrites nothing.
            var stampFile = table + ".rows";
            string stamp;
            lock (_writeLock)
            {
                using var command = _connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) || ':' || IFNULL(MAX(rowid), 0) FROM calls";
                stamp = (string)command.ExecuteScalar()!;
            }
            if (File.Exists(table) && File.Exists(stampFile) && File.ReadAllText(stampFile) == stamp) return;
            var rows = ReadAll();
            var temp = table + $".{Guid.NewGuid():N}.tmp";
            await using (var output = File.Create(temp))
                await ParquetSerializer.SerializeAsync(rows, output, new ParquetOptions { RowGroupSize = 50_000, CompressionMethod = CompressionMethod.Snappy }, null, ct);
            File.Move(temp, table, overwrite: true);
            File.WriteAllText(stampFile, stamp);
            lock (_writeLock) Execute("PRAGMA wal_checkpoint(PASSIVE);");
        }
    }

    // ---- IDistributedCache: a CachedCall as JSON under its key; entries never expire (an answer never changes). ----

    /// <summary>
    /// The call under <paramref name="key"/> in any <see cref="IDistributedCache"/> holding this cache's values, for the
    /// caching middleware. A <see cref="CallCache"/> is read in memory and synchronously, without the JSON round trip
    /// (on a cached rerun this is the whole cost of a hit).
    /// </summary>
    public static Task<CachedCall?> ReadAsync(IDistributedCache storage, string key, CancellationToken ct) =>
        storage is CallCache calls ? Task.FromResult(calls.TryGet(key, out var hit) ? hit : null) : ReadBytesAsync(storage, key, ct);

    private static async Task<CachedCall?> ReadBytesAsync(IDistributedCache storage, string key, CancellationToken ct) =>
        await storage.GetAsync(key, ct) is { } bytes ? JsonSerializer.Deserialize<CachedCall>(bytes, Json) : null;

    /// <summary>Stores <paramref name="call"/> under its key, committed before it returns; a <see cref="CallCache"/> takes the row as it is.</summary>
    public static Task WriteAsync(IDistributedCache storage, CachedCall call, CancellationToken ct)
    {
        if (storage is not CallCache calls) return storage.SetAsync(call.Key, JsonSerializer.SerializeToUtf8Bytes(call, Json), new DistributedCacheEntryOptions(), ct);
        calls.Add(call);
        return Task.CompletedTask;
    }


    public byte[]? Get(string key) => TryGet(key, out var call) ? JsonSerializer.SerializeToUtf8Bytes(call, Json) : null;

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        var call = JsonSerializer.Deserialize<CachedCall>(value, Json) ?? throw new ArgumentException("not a cached call", nameof(value));
        call.Key = key;
        Add(call);
    }

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Set(key, value, options);
        return Task.CompletedTask;
    }

    public void Refresh(string key) { }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key)
    {
        lock (_writeLock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM calls WHERE key = $key";
            command.Parameters.AddWithValue("$key", key);
            command.ExecuteNonQuery();
        }
        _calls.TryRemove(key, out _);
    }

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        Remove(key);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_writeLock)
        {
            _insert?.Dispose();
            _connection.Dispose();
        }
    }
}
