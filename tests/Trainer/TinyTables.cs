using System.Text.Json;
using CrossDomain.Trainer.Data;

namespace CrossDomain.Tests.Trainer;

/// <summary>Hand-made feature tables: source items 1..5, target items 6..12, a few users with both histories.</summary>
public static class TinyTables
{
    public static FeatureTables.UserRow User(int idx, int[] source, int[] target, int valid, int test) => new()
    {
        UserIdx = idx, SourceTrain = source, TargetTrain = target, SourceTestInput = source, TargetTestInput = [.. target, valid],
        MixedTrain = [.. source, .. target], MixedTrainDomains = [.. source.Select(_ => 0), .. target.Select(_ => 1)],
        MixedTestInput = [.. source, .. target, valid], MixedTestInputDomains = [.. source.Select(_ => 0), .. target.Select(_ => 1), 1],
        ValidItem = valid, TestItem = test,
    };

    public static FeatureTables Create() => Create(
        User(0, [1, 2], [6, 7, 8], 9, 10),
        User(1, [3], [7, 9], 11, 12),
        User(2, [2, 4, 5], [6, 10, 11, 12], 7, 8),
        User(3, [5, 1], [12, 11], 6, 9));

    public static FeatureTables Create(params FeatureTables.UserRow[] users) => new()
    {
        Users = users, ItemCount = 12, TargetItems = [6, 7, 8, 9, 10, 11, 12], SourceItems = [1, 2, 3, 4, 5],
        Manifest = JsonDocument.Parse("{}").RootElement,
    };
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
            rows.Add(TinyTables.User(u, [1 + rng.Next(5)], items[..length], items[length], items[length + 1]));
        }
        return TinyTables.Create([.. rows]);
    }
}
