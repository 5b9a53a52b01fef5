using Parquet;
using Parquet.Schema;

namespace CrossDomain.Stages.Ingest;

/// <summary>Schema of the <c>interactions</c> artifact: user, item, domain, timestamp (seconds), rating (nullable).</summary>
public static class InteractionsSchema
{
    public static readonly DataField<string> User = new("user", false);
    public static readonly DataField<string> Item = new("item", false);
    public static readonly DataField<string> Domain = new("domain", false);
    public static readonly DataField<long> Timestamp = new("timestamp");
    public static readonly DataField<float?> Rating = new("rating");
    public static readonly ParquetSchema Schema = new(User, Item, Domain, Timestamp, Rating);
    // 128 Ki rows: Parquet.Net builds each string column's dictionary per row group, and smaller groups keep it in cache.
    public const int RowGroupSize = 1 << 17;
}

/// <summary>Writes one domain's interactions in file order (the order that breaks timestamp ties), in row groups.</summary>
public static class InteractionsWriter
{
    public static async Task WriteAsync(string path, DomainInteractions domain, IReadOnlyDictionary<string, string> metadata, CancellationToken ct)
    {
        var domains = new[] { domain };
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await using var writer = await ParquetWriter.CreateAsync(InteractionsSchema.Schema, stream,
            new ParquetOptions { CompressionMethod = CompressionMethod.Snappy, DictionaryEncodingThreshold = 1.0 }, false, ct);
        writer.CustomMetadata = metadata.ToDictionary();
        var users = new string[InteractionsSchema.RowGroupSize];
        var items = new string[InteractionsSchema.RowGroupSize];
        var doms = new string[InteractionsSchema.RowGroupSize];
        var ratings = new float?[InteractionsSchema.RowGroupSize];
        foreach (var d in domains)
            for (int start = 0; start < d.Count; start += InteractionsSchema.RowGroupSize)
            {
                ct.ThrowIfCancellationRequested();
                var n = Math.Min(InteractionsSchema.RowGroupSize, d.Count - start);
                for (int k = 0; k < n; k++)
                {
                    users[k] = d.UserNames[d.User[start + k]];
                    items[k] = d.ItemNames[d.Item[start + k]];
                    doms[k] = d.Domain;
                    var r = d.Rating[start + k];
                    ratings[k] = float.IsNaN(r) ? null : r;
                }
                using var rg = writer.CreateRowGroup();
                await rg.WriteAsync(InteractionsSchema.User, new ArraySegment<string>(users, 0, n));
                await rg.WriteAsync(InteractionsSchema.Item, new ArraySegment<string>(items, 0, n));
                await rg.WriteAsync(InteractionsSchema.Domain, new ArraySegment<string>(doms, 0, n));
                await rg.WriteAsync<long>(InteractionsSchema.Timestamp, d.Timestamp.AsMemory(start, n), null, null, ct);
                await rg.WriteAsync<float>(InteractionsSchema.Rating, ratings.AsMemory(0, n), null, null, ct);
            }
    }
}

/// <summary>Reads the <c>interactions</c> artifact (a Parquet file or a folder of parts) one row group at a time.</summary>
public static class InteractionsReader
{
    public sealed record Chunk(string[] Users, string[] Items, string[] Domains, long[] Timestamps, int Count);

    /// <summary>The Parquet files of a table: the file itself, or a folder's *.parquet in ordinal order.</summary>
    public static IReadOnlyList<string> Parts(string path) => Directory.Exists(path)
        ? Directory.GetFiles(path, "*.parquet").Order(StringComparer.Ordinal).ToList()
        : [path];

    public static async IAsyncEnumerable<Chunk> ReadAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var part in Parts(path))
            await foreach (var chunk in ReadPartAsync(part, ct)) yield return chunk;
    }

    private static async IAsyncEnumerable<Chunk> ReadPartAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream, null, false, ct);
        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name);
        foreach (var name in new[] { "user", "item", "domain", "timestamp" })
            if (!fields.ContainsKey(name)) throw new InvalidDataException($"{path}: no column '{name}'; is this an interactions table?");
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            var n = (int)rg.RowCount;
            var users = new string?[n];
            var items = new string?[n];
            var domains = new string?[n];
            var ts = new long[n];
            await rg.ReadAsync(fields["user"], users.AsMemory(), null, ct);
            await rg.ReadAsync(fields["item"], items.AsMemory(), null, ct);
            await rg.ReadAsync(fields["domain"], domains.AsMemory(), null, ct);
            await rg.ReadAsync<long>(fields["timestamp"], ts.AsMemory(), null, ct);
            yield return new Chunk(users!, items!, domains!, ts, n);
        }
    }
}
