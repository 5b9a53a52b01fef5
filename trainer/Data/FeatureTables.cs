using System.Text.Json;
using System.Text.Json.Serialization;
using Parquet;
using Parquet.Serialization;

namespace CrossDomain.Trainer.Data;

/// <summary>
/// The trainer's view of a features folder (items.parquet, users.parquet, manifest.json), by column name. The
/// trainer does not reference the pipeline; this contract is what ties them together. The users table is declared
/// once, here (<see cref="UserRow"/>), and the features stage writes it; of items.parquet the trainer reads only the
/// columns it needs (<see cref="ItemRow"/>; the stage's full row is its own FeatureItemRow).
/// </summary>
public sealed partial class FeatureTables
{
    /// <summary>
    /// One user of <c>users.parquet</c>, as the features stage writes it (columns in this order). The <c>*_train</c>
    /// histories end strictly before the validation interaction and the <c>*_test_input</c> histories strictly
    /// before the test interaction, so no input ever holds the item it is asked to predict or anything after it.
    /// </summary>
    public sealed class UserRow
    {
        [JsonPropertyName("user_idx")] public int UserIdx { get; set; }
        [JsonPropertyName("source_train")] public int[] SourceTrain { get; set; } = [];
        [JsonPropertyName("source_train_timestamps")] public long[] SourceTrainTimestamps { get; set; } = [];
        [JsonPropertyName("target_train")] public int[] TargetTrain { get; set; } = [];
        [JsonPropertyName("target_train_timestamps")] public long[] TargetTrainTimestamps { get; set; } = [];
        [JsonPropertyName("mixed_train")] public int[] MixedTrain { get; set; } = [];
        [JsonPropertyName("mixed_train_domains")] public int[] MixedTrainDomains { get; set; } = [];
        [JsonPropertyName("mixed_train_timestamps")] public long[] MixedTrainTimestamps { get; set; } = [];
        [JsonPropertyName("source_test_input")] public int[] SourceTestInput { get; set; } = [];
        [JsonPropertyName("source_test_input_timestamps")] public long[] SourceTestInputTimestamps { get; set; } = [];
        [JsonPropertyName("target_test_input")] public int[] TargetTestInput { get; set; } = [];
        [JsonPropertyName("target_test_input_timestamps")] public long[] TargetTestInputTimestamps { get; set; } = [];
        [JsonPropertyName("mixed_test_input")] public int[] MixedTestInput { get; set; } = [];
        [JsonPropertyName("mixed_test_input_domains")] public int[] MixedTestInputDomains { get; set; } = [];
        [JsonPropertyName("mixed_test_input_timestamps")] public long[] MixedTestInputTimestamps { get; set; } = [];
        [JsonPropertyName("valid_item")] public int ValidItem { get; set; }
        [JsonPropertyName("valid_timestamp")] public long ValidTimestamp { get; set; }
        [JsonPropertyName("test_item")] public int TestItem { get; set; }
        [JsonPropertyName("test_timestamp")] public long TestTimestamp { get; set; }
    }

    public sealed class ItemRow
    {
        [JsonPropertyName("item_idx")] public int ItemIdx { get; set; }
        [JsonPropertyName("role")] public string Role { get; set; } = "";
        [JsonPropertyName("labels")] public int[] Labels { get; set; } = [];
        [JsonPropertyName("tags")] public int[] Tags { get; set; } = [];
        [JsonPropertyName("tag_weights")] public float[] TagWeights { get; set; } = [];
        [JsonPropertyName("description_embedding")] public float[] DescriptionEmbedding { get; set; } = [];
        [JsonPropertyName("title_embedding")] public float[] TitleEmbedding { get; set; } = [];
        /// <summary>Optional column: an image embedding (empty when items.parquet has no image_embedding column).</summary>
        [JsonIgnore] public float[] ImageEmbedding { get; set; } = [];
    }

    public required IReadOnlyList<UserRow> Users { get; init; }
    /// <summary>Number of items; valid indices are 1..ItemCount (0 is padding).</summary>
    public required int ItemCount { get; init; }
    /// <summary>Indices of the target-domain items, ascending.</summary>
    public required int[] TargetItems { get; init; }
    /// <summary>Indices of the source-domain items, ascending.</summary>
    public required int[] SourceItems { get; init; }
    public required JsonElement Manifest { get; init; }
    /// <summary>Items by index (entry 0 is an empty padding row); empty when the tables were built by hand.</summary>
    public IReadOnlyList<ItemRow> Items { get; init; } = [];
    /// <summary>Category index of every global label id (the manifest's label vocabulary).</summary>
    public IReadOnlyList<int> LabelCategories { get; init; } = [];
    /// <summary>Size of the tag vocabulary.</summary>
    public int TagCount { get; init; }

    /// <summary>Reads a features folder (items.parquet, users.parquet, manifest.json).</summary>
    public static Task<FeatureTables> LoadAsync(string folder, CancellationToken ct = default) =>
        LoadAsync(Path.Combine(folder, "items.parquet"), Path.Combine(folder, "users.parquet"), Path.Combine(folder, "manifest.json"), ct);

    public static async Task<FeatureTables> LoadAsync(string itemsPath, string usersPath, string manifestPath, CancellationToken ct = default)
    {
        foreach (var f in new[] { itemsPath, usersPath, manifestPath })
            if (!File.Exists(f)) throw new FileNotFoundException($"{f}: not found; is this a features stage's output?");
        async Task<IList<T>> ReadAsync<T>(string file) where T : class, new()
        {
            await using var stream = File.OpenRead(file);
            return (await ParquetSerializer.DeserializeAsync<T>(stream, null, null, ct)).Data;
        }
        var users = (await ReadAsync<UserRow>(usersPath)).OrderBy(u => u.UserIdx).ToList();
        var items = await ReadAsync<ItemRow>(itemsPath);
        if (await HasColumnAsync(itemsPath, "image_embedding", ct))
        {
            var images = (await ReadAsync<ImageRow>(itemsPath)).ToDictionary(r => r.ItemIdx, r => r.ImageEmbedding);
            foreach (var i in items) i.ImageEmbedding = images.GetValueOrDefault(i.ItemIdx) ?? [];
        }
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath, ct));
        var byIndex = new ItemRow[items.Count == 0 ? 1 : items.Max(i => i.ItemIdx) + 1];
        byIndex[0] = new ItemRow();
        foreach (var i in items) byIndex[i.ItemIdx] = i;
        for (int k = 0; k < byIndex.Length; k++) byIndex[k] ??= new ItemRow { ItemIdx = k };
        var root = manifest.RootElement;
        var labelCategories = new List<int>();
        if (root.TryGetProperty("label_vocabulary", out var labels))
            foreach (var l in labels.EnumerateArray().OrderBy(l => l.GetProperty("id").GetInt32()))
                labelCategories.Add(l.GetProperty("category_idx").GetInt32());
        var tagCount = root.TryGetProperty("tag_vocabulary", out var tags) && tags.ValueKind == JsonValueKind.Array ? tags.GetArrayLength() : 0;
        return new FeatureTables
        {
            Items = byIndex, LabelCategories = labelCategories, TagCount = tagCount,
            Users = users,
            ItemCount = items.Count == 0 ? 0 : items.Max(i => i.ItemIdx),
            TargetItems = items.Where(i => i.Role == "target").Select(i => i.ItemIdx).Order().ToArray(),
            SourceItems = items.Where(i => i.Role == "source").Select(i => i.ItemIdx).Order().ToArray(),
            Manifest = manifest.RootElement.Clone(),
            Protocol = root.TryGetProperty("protocol", out var protocol) ? protocol.GetString() ?? TargetLoo : TargetLoo,
        };
    }

    /// <summary>The optional image column, read only when present (the serializer requires every declared column).</summary>
    private sealed class ImageRow
    {
        [JsonPropertyName("item_idx")] public int ItemIdx { get; set; }
        [JsonPropertyName("image_embedding")] public float[] ImageEmbedding { get; set; } = [];
    }

    private static async Task<bool> HasColumnAsync(string file, string column, CancellationToken ct)
    {
        await using var stream = File.OpenRead(file);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: ct);
        return reader.Schema.Fields.Any(f => f.Name == column);
    }
}
