namespace CrossDomain.Trainer.Training;

/// <summary>
/// Training negatives: items drawn uniformly from one domain's items, rejecting those in the user's training
/// history there (never the validation or test items: the training loop must not know them). Seeded by the caller.
/// </summary>
public sealed class NegativeSampler(int[] pool, Random rng)
{
    public int Sample(IReadOnlySet<int> history)
    {
        if (pool.Length == 0) throw new InvalidOperationException("no items to draw negatives from");
        // Rejection sampling: a user's history is a small part of the domain, so this ends fast; the bound guards
        // against a user who has interacted with (almost) every item.
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            var candidate = pool[rng.Next(pool.Length)];
            if (!history.Contains(candidate)) return candidate;
        }
        return pool[rng.Next(pool.Length)];
    }
}
