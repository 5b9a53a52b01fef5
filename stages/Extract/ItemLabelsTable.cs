using Parquet;
using Parquet.Schema;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// Writes <c>item_labels</c> column by column: it is the largest extract table (about 9 rows per item), and the
/// reflection-based serializer dominated a cached rerun. Same columns and nullability as the serializer gives
/// <see cref="ItemLabelRow"/>, so that it reads them back.
/// </summary>
public static class ItemLabelsTable
{
    private static readonly DataField<string> Item = new("item", true);
    private static readonly DataField<string> Domain = new("domain", true);
    private static readonly DataField<int> CategoryIdx = new("category_idx");
    private static readonly DataField<string> Category = new("category", true);
    private static readonly DataField<int> LabelIdx = new("label_idx");
    private static readonly DataField<string> Label = new("label", true);
    private static readonly DataField<int> Votes = new("votes");
    private static readonly DataField<int> Samples = new("samples");
    private static readonly ParquetSchema Schema = new(Item, Domain, CategoryIdx, Category, LabelIdx, Label, Votes, Samples);

    public static async Task WriteAsync(IReadOnlyList<ItemLabelRow> rows, string path, IReadOnlyDictionary<string, string> metadata, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await using var writer = await ParquetWriter.CreateAsync(Schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }, false, ct);
        writer.CustomMetadata = metadata.ToDictionary();
        const int groupSize = 1 << 18;
        for (int start = 0; start < Math.Max(1, rows.Count); start += groupSize)
        {
            var n = Math.Min(groupSize, rows.Count - start);
            var items = new string[n];
            var domains = new string[n];
            var categories = new string[n];
            var labels = new string[n];
            var categoryIdx = new int[n];
            var labelIdx = new int[n];
            var votes = new int[n];
            var samples = new int[n];
            for (int k = 0; k < n; k++)
            {
                var r = rows[start + k];
                items[k] = r.Item;
                domains[k] = r.Domain;
                categories[k] = r.Category;
                labels[k] = r.Label;
                categoryIdx[k] = r.CategoryIdx;
                labelIdx[k] = r.LabelIdx;
                votes[k] = r.Votes;
                samples[k] = r.Samples;
            }
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync(Item, new ArraySegment<string>(items));
            await rg.WriteAsync(Domain, new ArraySegment<string>(domains));
            await rg.WriteAsync<int>(CategoryIdx, categoryIdx.AsMemory(), null, null, ct);
            await rg.WriteAsync(Category, new ArraySegment<string>(categories));
            await rg.WriteAsync<int>(LabelIdx, labelIdx.AsMemory(), null, null, ct);
            await rg.WriteAsync(Label, new ArraySegment<string>(labels));
            await rg.WriteAsync<int>(Votes, votes.AsMemory(), null, null, ct);
            await rg.WriteAsync<int>(Samples, samples.AsMemory(), null, null, ct);
        }
    }
}
