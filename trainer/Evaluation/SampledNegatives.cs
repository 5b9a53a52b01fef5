using System.Text.Json.Serialization;
using CrossDomain.Trainer.Data;
using Parquet.Serialization;

namespace CrossDomain.Trainer.Evaluation;

public enum EvalSplit { Valid, Test }

/// <summary>
/// The papers' sampled protocol: per user and split, N negatives (100 by default; C2DSR's and ABXI's 999) drawn
/// uniformly without replacement from the items of the held-out item's domain (the target domain under target_loo)
/// that the user never interacted with in that domain (training, validation and test items all excluded). Drawn once per seed, from a generator seeded by (seed, user, split) so that the
/// draw does not depend on the order users are visited, and saved, so that every model is scored on the same
/// candidates.
/// </summary>
public sealed class SampledNegatives
{
    public sealed class Row
    {
        [JsonPropertyName("user_idx")] public int UserIdx { get; set; }
        [JsonPropertyName("split")] public string Split { get; set; } = "";
        [JsonPropertyName("negatives")] public int[] Negatives { get; set; } = [];
    }

    private readonly Dictionary<(int User, EvalSplit Split), int[]> _negatives;
    public int Seed { get; }
    public int Count { get; }

    private SampledNegatives(int seed, int count, Dictionary<(int, EvalSplit), int[]> negatives)
    {
        Seed = seed;
        Count = count;
        _negatives = negatives;
    }

    public int[] For(int user, EvalSplit split) => _negatives[(user, split)];

    public static SampledNegatives Draw(FeatureTables tables, int count, int seed)
    {
        var result = new Dictionary<(int, EvalSplit), int[]>();
        foreach (var u in tables.Users)
        {
            foreach (var split in new[] { EvalSplit.Valid, EvalSplit.Test })
            {
                // The held-out item's domain (always the target under target_loo), outside the user's items there.
                var domain = tables.DomainOf(FeatureTables.HeldOut(u, split));
                var history = tables.DomainHistory(u, domain);
                var copy = tables.ItemsOf(domain).Where(i => !history.Contains(i)).ToArray();
                var rng = new Random(unchecked(seed * 1_000_003 + u.UserIdx * 2 + (int)split));
                var take = Math.Min(count, copy.Length);
                for (int k = 0; k < take; k++) // partial Fisher–Yates: a uniform sample without replacement
                {
                    int j = k + rng.Next(copy.Length - k);
                    (copy[k], copy[j]) = (copy[j], copy[k]);
                }
                result[(u.UserIdx, split)] = copy[..take];
            }
        }
        return new SampledNegatives(seed, count, result);
    }

    public async Task SaveAsync(string path, CancellationToken ct = default, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var rows = _negatives.OrderBy(kv => kv.Key.User).ThenBy(kv => kv.Key.Split)
            .Select(kv => new Row { UserIdx = kv.Key.User, Split = kv.Key.Split.ToString().ToLowerInvariant(), Negatives = kv.Value });
        var temp = path + ".tmp";
        await using (var stream = File.Create(temp))
        {
            var meta = metadata?.ToDictionary() ?? [];
            meta["crossdomain.negatives_seed"] = Seed.ToString();
            meta["crossdomain.negatives_count"] = Count.ToString();
            await ParquetSerializer.SerializeAsync(rows, stream, null, meta, ct);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Loads saved negatives; a file drawn with another seed or count is refused rather than silently used.</summary>
    public static async Task<SampledNegatives> LoadAsync(string path, int seed, int count, CancellationToken ct = default,
        Func<IReadOnlyDictionary<string, string>, string?>? checkMetadata = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no negatives drawn for seed {seed}; add the seed to the negatives stage's seeds", path);
        await using var stream = File.OpenRead(path);
        var result = await ParquetSerializer.DeserializeAsync<Row>(stream, null, null, ct);
        var meta = result.CustomMetadata ?? new Dictionary<string, string>();
        if (meta.GetValueOrDefault("crossdomain.negatives_seed") != seed.ToString() || meta.GetValueOrDefault("crossdomain.negatives_count") != count.ToString())
            throw new InvalidDataException($"{path}: negatives drawn with seed {meta.GetValueOrDefault("crossdomain.negatives_seed")} and count " +
                $"{meta.GetValueOrDefault("crossdomain.negatives_count")}, not seed {seed} and count {count}: the train stage's negatives must equal " +
                "the negatives stage's count (set both, e.g. in defaults.negatives.count and defaults.train.negatives)");
        if (checkMetadata?.Invoke(meta) is { } problem) throw new InvalidDataException($"{path}: {problem}");
        return new SampledNegatives(seed, count, result.Data.ToDictionary(r => (r.UserIdx, Enum.Parse<EvalSplit>(r.Split, ignoreCase: true)), r => r.Negatives));
    }
}
