using System.Collections;
using System.Globalization;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace CrossDomain.Engine.Artifacts;

public sealed record ColumnInfo(string Name, string Type, bool Nullable);
public sealed record RowGroupInfo(int Index, long Rows);

public sealed record ParquetSummary(
    string Path, long FileSize, long Rows, IReadOnlyList<ColumnInfo> Columns, IReadOnlyList<RowGroupInfo> RowGroups,
    IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<string> Parts);

/// <summary>Looks inside any Parquet file: schema, row groups, key-value metadata and (filtered) rows.</summary>
public static class ParquetInspector
{
    // Untyped reads return plain strings rather than ReadOnlyMemory<char> (a process-wide Parquet.Net switch).
    static ParquetInspector() => ParquetOptions.PreferUntypedString = true;

    /// <summary>The Parquet files behind a path: the file itself, or a folder's *.parquet parts in ordinal order.</summary>
    public static IReadOnlyList<string> Parts(string path)
    {
        if (!Directory.Exists(path)) return [path];
        var parts = Directory.GetFiles(path, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        return parts.Count > 0 ? parts : throw new InvalidDataException($"{path}: folder holds no .parquet file");
    }

    /// <summary>Summary of a Parquet file or of a folder of parts (one table split in files).</summary>
    public static async Task<ParquetSummary> SummarizeAsync(string path, CancellationToken cancellationToken = default)
    {
        var parts = Parts(path);
        List<ColumnInfo>? columns = null;
        Dictionary<string, string>? metadata = null;
        var groups = new List<RowGroupInfo>();
        long size = 0;
        foreach (var part in parts)
        {
            await using var stream = File.OpenRead(part);
            await using var reader = await OpenAsync(stream, part, cancellationToken);
            columns ??= reader.Schema.Fields.Select(Describe).ToList();
            metadata ??= reader.CustomMetadata.ToDictionary();
            for (int i = 0; i < reader.RowGroupCount; i++) groups.Add(new RowGroupInfo(groups.Count, reader.RowGroups[i].RowCount));
            size += stream.Length;
        }
        return new ParquetSummary(path, size, groups.Sum(g => g.Rows), columns!, groups, metadata!, parts);
    }

    /// <summary>
    /// Rows as column-name to value (numbers, strings, lists and maps as Parquet.Net reads them; text as string), in
    /// file order, reading one row group at a time and stopping at <paramref name="limit"/> matches.
    /// <paramref name="where"/> keeps rows that every filter matches. <see cref="Show"/> gives a value's display text.
    /// </summary>
    public static async Task<(IReadOnlyList<string> Columns, List<Dictionary<string, object?>> Rows)> ReadRowsAsync(
        string path, IReadOnlyList<string>? columns, IReadOnlyList<RowFilter> where, int limit,
        CancellationToken cancellationToken = default)
    {
        var summary = await SummarizeAsync(path, cancellationToken);
        var all = summary.Columns.Select(c => c.Name).ToList();
        foreach (var c in (columns ?? []).Concat(where.Select(w => w.Column)))
            if (!all.Contains(c))
                throw new ArgumentException($"{path}: no column '{c}'; columns: {string.Join(", ", all)}");
        var shown = columns is { Count: > 0 } ? columns.ToList() : all;
        var rows = new List<Dictionary<string, object?>>();
        foreach (var part in summary.Parts)
        {
            int groupCount;
            await using (var probe = File.OpenRead(part))
            await using (var reader = await OpenAsync(probe, part, cancellationToken)) groupCount = reader.RowGroupCount;
            for (int g = 0; g < groupCount && rows.Count < limit; g++)
            {
                await using var stream = File.OpenRead(part);
                var result = await ParquetSerializer.DeserializeUntypedAsync(stream, new ParquetOptions(), g, cancellationToken);
                foreach (var record in result.Data)
                {
                    if (!where.All(w => w.Matches(Plain(record.TryGetValue(w.Column, out var v) ? v : null)))) continue;
                    rows.Add(shown.ToDictionary(c => c, c => Plain(record.TryGetValue(c, out var v) ? v : null)));
                    if (rows.Count >= limit) break;
                }
            }
            if (rows.Count >= limit) break;
        }
        return (shown, rows);
    }

    private static async Task<ParquetReader> OpenAsync(Stream stream, string path, CancellationToken cancellationToken)
    {
        try { return await ParquetReader.CreateAsync(stream, null, false, cancellationToken); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException($"{path}: not a readable Parquet file ({e.Message})", e);
        }
    }

    private static ColumnInfo Describe(Field f) => f switch
    {
        DataField d => new ColumnInfo(d.Name, TypeName(d.ClrType) + (d.IsArray ? "[]" : ""), d.IsNullable),
        ListField l => new ColumnInfo(l.Name, $"list<{Describe(l.Item).Type}>", l.IsNullable),
        MapField m => new ColumnInfo(m.Name, $"map<{Describe(m.Key).Type},{Describe(m.Value).Type}>", m.IsNullable),
        StructField s => new ColumnInfo(s.Name, $"struct<{string.Join(",", s.Fields.Select(x => $"{x.Name}:{Describe(x).Type}"))}>", s.IsNullable),
        _ => new ColumnInfo(f.Name, f.SchemaType.ToString(), f.IsNullable),
    };

    private static string TypeName(Type t) => t == typeof(int) ? "int32" : t == typeof(long) ? "int64" : t == typeof(string) ? "string"
        : t == typeof(ReadOnlyMemory<char>) ? "string" : t == typeof(double) ? "double" : t == typeof(float) ? "float" : t == typeof(bool) ? "bool" : t == typeof(byte[]) ? "binary" : t.Name.ToLowerInvariant();

    /// <summary>Text as string (untyped reads may give ReadOnlyMemory&lt;char&gt;), lists' elements likewise; the rest as read.</summary>
    public static object? Plain(object? value) => value switch
    {
        ReadOnlyMemory<char> m => m.ToString(),
        string or byte[] => value,
        IDictionary d => d.Keys.Cast<object>().ToDictionary(k => Show(k) ?? "", k => Plain(d[k])),
        IEnumerable e => e.Cast<object?>().Select(Plain).ToList(),
        _ => value,
    };

    public static string? Show(object? value) => value switch
    {
        null => null,
        string s => s,
        ReadOnlyMemory<char> m => m.ToString(),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().Select(k => $"{k}: {Show(d[k])}")) + "}",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Show)) + "]",
        _ => value.ToString(),
    };
}
