using System.Text.Json;
using CrossDomain.Trainer.Data;

namespace CrossDomain.Tests.Trainer;

/// <summary>
/// Hand-made feature tables: source items 1..5, target items 6..12, a few users with both histories. Each user's
/// timeline is their source items (one a day), then their target items, then the validation and the test item.
/// Items carry labels of two categories and 4-dimensional description embeddings.
/// </summary>
public static class TinyTables
{
    private const long Day = 86_400;

    public static FeatureTables.UserRow User(int idx, int[] source, int[] target, int valid, int test)
    {
        long[] Days(int from, int count) => [.. Enumerable.Range(from, count).Select(d => d * Day)];
        var sourceTs = Days(1, source.Length);
        var targetTs = Days(1 + source.Length, target.Length);
        long validTs = (1 + source.Length + target.Length) * Day, testTs = validTs + Day;
        return new()
        {
            UserIdx = idx, SourceTrain = source, TargetTrain = target, SourceTestInput = source, TargetTestInput = [.. target, valid],
            MixedTrain = [.. source, .. target], MixedTrainDomains = [.. source.Select(_ => 0), .. target.Select(_ => 1)],
            MixedTestInput = [.. source, .. target, valid], MixedTestInputDomains = [.. source.Select(_ => 0), .. target.Select(_ => 1), 1],
            ValidItem = valid, TestItem = test,
            SourceTrainTimestamps = sourceTs, TargetTrainTimestamps = targetTs, MixedTrainTimestamps = [.. sourceTs, .. targetTs],
            SourceTestInputTimestamps = sourceTs, TargetTestInputTimestamps = [.. targetTs, validTs], MixedTestInputTimestamps = [.. sourceTs, .. targetTs, validTs],
            ValidTimestamp = validTs, TestTimestamp = testTs,
        };
    }

    public static FeatureTables Create() => Create(
        User(0, [1, 2], [6, 7, 8], 9, 10),
        User(1, [3], [7, 9], 11, 12),
        User(2, [2, 4, 5], [6, 10, 11, 12], 7, 8),
        User(3, [5, 1], [12, 11], 6, 9));

    /// <summary>Labels: category 0 has labels 0–2, category 1 labels 3–4; item i gets label i % 3 and 3 + i % 2, and tags i % 4 (weight 0.75) and (i + 1) % 4 (0.25).</summary>
    public static FeatureTables Create(params FeatureTables.UserRow[] users) => new()
    {
        Users = users, ItemCount = 12, TargetItems = [6, 7, 8, 9, 10, 11, 12], SourceItems = [1, 2, 3, 4, 5],
        Manifest = JsonDocument.Parse("{}").RootElement,
        LabelCategories = [0, 0, 0, 1, 1],
        TagCount = 4,
        Items = [.. Enumerable.Range(0, 13).Select(i => new FeatureTables.ItemRow
        {
            ItemIdx = i, Role = i == 0 ? "" : i <= 5 ? "source" : "target",
            Labels = i == 0 ? [] : [i % 3, 3 + i % 2],
            DescriptionEmbedding = i == 0 ? [] : [i % 2, i % 3 / 2f, 1, i / 12f],
            TitleEmbedding = i == 0 ? [] : [1 - i % 2, i / 12f, i % 4 / 3f, 0.5f],
            Tags = i == 0 ? [] : [i % 4, (i + 1) % 4],
            TagWeights = i == 0 ? [] : [0.75f, 0.25f],
        })],
    };
}

/// <summary>
/// The same items under mixed_loo: each user is one merged sequence (items 1..5 source, 6..12 target) whose last two
/// interactions are held out, in whichever domain they fall.
/// </summary>
public static class MixedTables
{
    public static FeatureTables.UserRow User(int idx, params int[] merged) => User(idx, lastSourceItem: 5, merged);

    /// <summary>A user of one merged sequence whose items 1..<paramref name="lastSourceItem"/> are source items.</summary>
    public static FeatureTables.UserRow User(int idx, int lastSourceItem, int[] merged)
    {
        var n = merged.Length;
        var domains = merged.Select(i => i <= lastSourceItem ? 0 : 1).ToArray();
        int[] Part(int length, int dom) => [.. Enumerable.Range(0, length).Where(k => domains[k] == dom).Select(k => merged[k])];
        long[] Days(int length) => [.. Enumerable.Range(1, length).Select(d => d * 86_400L)];
        long[] PartDays(int length, int dom) => [.. Enumerable.Range(0, length).Where(k => domains[k] == dom).Select(k => (k + 1) * 86_400L)];
        return new()
        {
            UserIdx = idx, ValidItem = merged[n - 2], TestItem = merged[n - 1], ValidTimestamp = (n - 1) * 86_400L, TestTimestamp = n * 86_400L,
            MixedTrain = merged[..(n - 2)], MixedTrainDomains = domains[..(n - 2)], MixedTrainTimestamps = Days(n - 2),
            MixedTestInput = merged[..(n - 1)], MixedTestInputDomains = domains[..(n - 1)], MixedTestInputTimestamps = Days(n - 1),
            SourceTrain = Part(n - 2, 0), TargetTrain = Part(n - 2, 1), SourceTestInput = Part(n - 1, 0), TargetTestInput = Part(n - 1, 1),
            SourceTrainTimestamps = PartDays(n - 2, 0), TargetTrainTimestamps = PartDays(n - 2, 1),
            SourceTestInputTimestamps = PartDays(n - 1, 0), TargetTestInputTimestamps = PartDays(n - 1, 1),
        };
    }

    public static FeatureTables Create() => Create(
        User(0, 1, 6, 2, 7, 8, 3),
        User(1, 6, 3, 9, 4, 11, 12),
        User(2, 2, 4, 6, 10, 5, 7, 1),
        User(3, 12, 5, 11, 1, 6, 2, 9));

    public static FeatureTables Create(params FeatureTables.UserRow[] users)
    {
        var t = TinyTables.Create(users);
        return new()
        {
            Users = t.Users, ItemCount = t.ItemCount, TargetItems = t.TargetItems, SourceItems = t.SourceItems, Items = t.Items,
            LabelCategories = t.LabelCategories, TagCount = t.TagCount,
            Manifest = JsonDocument.Parse("""{"protocol":"mixed_loo"}""").RootElement, Protocol = FeatureTables.MixedLoo,
        };
    }

    /// <summary>
    /// Merged sequences that alternate the two domains, each following its own successor rule (1 → 2 → … → 5 → 1 and
    /// 6 → 7 → … → 12 → 6): the next item is the successor of the item two back, learnable exactly.
    /// </summary>
    public static FeatureTables Cycles(int users, int seed)
    {
        var rng = new Random(seed);
        var rows = new List<FeatureTables.UserRow>();
        for (int u = 0; u < users; u++)
        {
            int a = rng.Next(5), b = rng.Next(7), length = 6 + rng.Next(6);
            var startWithSource = rng.Next(2) == 0;
            var merged = new int[length];
            for (int k = 0; k < length; k++)
                merged[k] = (k % 2 == 0) == startWithSource ? 1 + (a + k / 2) % 5 : 6 + (b + k / 2) % 7;
            rows.Add(User(u, merged));
        }
        return Create([.. rows]);
    }
}

/// <summary>Users whose target sequences follow one fixed successor rule (6 → 7 → … → 12 → 6): learnable exactly.</summary>
public static class CycleTables
{
    public static FeatureTables Create(int users, int seed)
    {
        var rng = new Random(seed);
        var rows = new List<FeatureTables.UserRow>();
        for (int u = 0; u < users; u++)
        {
            var start = rng.Next(7);
            var length = 3 + rng.Next(5);
            var items = Enumerable.Range(0, length + 2).Select(k => 6 + (start + k) % 7).ToArray();
            // Two source items (C2DSR trains only on sequences with a next item in each domain, as its loader); the
            // second is a function of the first, so the draws, and every other model's users, are as they were.
            var source = 1 + rng.Next(5);
            rows.Add(TinyTables.User(u, [source, 1 + source % 5], items[..length], items[length], items[length + 1]));
        }
        return TinyTables.Create([.. rows]);
    }
}

/// <summary>A CPU training batch with seeded samplers, as the training loop builds one (target negatives from the tables' target items unless a pool is given).</summary>
public static class TestBatches
{
    public static CrossDomain.Trainer.Training.TrainingBatch Of(FeatureTables tables, IReadOnlyList<FeatureTables.UserRow>? users = null, int seed = 5, int[]? targetPool = null)
    {
        var rng = new Random(seed);
        return new CrossDomain.Trainer.Training.TrainingBatch
        {
            Users = users ?? tables.Users, TargetNegatives = new CrossDomain.Trainer.Training.NegativeSampler(targetPool ?? tables.TargetItems, rng),
            SourceNegatives = new CrossDomain.Trainer.Training.NegativeSampler(tables.SourceItems, rng), Random = rng, Device = TorchSharp.torch.CPU, Epoch = 1,
        };
    }
}
