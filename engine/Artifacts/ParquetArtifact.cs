using Parquet;
using Parquet.Serialization;

namespace CrossDomain.Engine.Artifacts;

/// <summary>Reads and writes record-shaped Parquet artifacts (one class per table) with the run's key-value metadata.</summary>
public static class ParquetArtifact
{
    public static ParquetOptions Options(int rowGroupSize = 1_000_000) => new()
    {
        CompressionMethod = CompressionMethod.Snappy,
        RowGroupSize = rowGroupSize,
    };

    public static async Task WriteAsync<T>(IEnumerable<T> rows, string path, IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken = default, int rowGroupSize = 1_000_000)
    {
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await ParquetSerializer.SerializeAsync(rows, stream, Options(rowGroupSize), metadata, cancellationToken);
    }

    public static async Task<IList<T>> ReadAsync<T>(string path, CancellationToken cancellationToken = default) where T : class, new()
    {
        try
        {
            await using var stream = File.OpenRead(path);
            return (await ParquetSerializer.DeserializeAsync<T>(stream, null, null, cancellationToken)).Data;
        }
        catch (Exception e) when (e is not OperationCanceledException and not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: cannot read as {typeof(T).Name} ({e.Message})", e);
        }
    }

    public static async Task<IReadOnlyDictionary<string, string>> ReadMetadataAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        return reader.CustomMetadata.ToDictionary();
    }
}
