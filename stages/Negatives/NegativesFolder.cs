using CrossDomain.Engine.Hashing;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;

namespace CrossDomain.Stages.Negatives;

/// <summary>
/// The negatives stage's output, as its consumers read it: one frozen file per seed (<c>seed_&lt;s&gt;.parquet</c>),
/// each tagged with the hash of the users table it was drawn for. The producer writes through it and the train stage
/// reads through it, so the layout is declared once.
/// </summary>
public sealed record NegativesFolder(string Path)
{
    private const string UsersHashKey = "crossdomain.users_hash";

    public string FileFor(int seed) => System.IO.Path.Combine(Path, $"seed_{seed}.parquet");

    public Task SaveAsync(SampledNegatives negatives, int seed, string usersFile, IReadOnlyDictionary<string, string> metadata, CancellationToken ct)
    {
        var meta = metadata.ToDictionary();
        meta[UsersHashKey] = ContentHasher.ComputeFileHash(usersFile);
        return negatives.SaveAsync(FileFor(seed), ct, meta);
    }

    /// <summary>One seed's negatives, refused when they were drawn for another users table than <paramref name="usersFile"/>.</summary>
    public Task<SampledNegatives> LoadAsync(int seed, int count, string usersFile, CancellationToken ct)
    {
        var usersHash = ContentHasher.ComputeFileHash(usersFile);
        return SampledNegatives.LoadAsync(FileFor(seed), seed, count, ct,
            meta => meta.GetValueOrDefault(UsersHashKey) == usersHash ? null
                : "drawn for other feature tables than this stage's users.parquet (wire the negatives stage of the same features)");
    }
}
