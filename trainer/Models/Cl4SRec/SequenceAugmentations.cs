namespace CrossDomain.Trainer.Models.Cl4SRec;

/// <summary>
/// CL4SRec's three augmentations of an item sequence (Xie et al., ICDE 2022, §3.2; ratios and draws as RecBole's
/// <c>RandomAugmentationSequence</c>): crop keeps ⌊ηn⌋ consecutive items from a uniform start; mask replaces ⌊γn⌋
/// distinct positions by the mask token; reorder shuffles ⌊βn⌋ consecutive items. A pair of views applies two
/// different augmentations, chosen at random; a sequence of one item is left as it is.
/// </summary>
public sealed class SequenceAugmentations(double crop, double mask, double reorder, int maskToken)
{
    public int[] Crop(int[] s, Random rng)
    {
        var keep = (int)Math.Floor(s.Length * crop);
        var begin = rng.Next(s.Length - keep + 1);
        return s[begin..(begin + keep)];
    }

    public int[] Mask(int[] s, Random rng)
    {
        var count = (int)Math.Floor(s.Length * mask);
        var result = (int[])s.Clone();
        // count distinct positions, uniformly (a partial Fisher–Yates over the positions).
        var positions = Enumerable.Range(0, s.Length).ToArray();
        for (int k = 0; k < count; k++)
        {
            var j = k + rng.Next(positions.Length - k);
            (positions[k], positions[j]) = (positions[j], positions[k]);
            result[positions[k]] = maskToken;
        }
        return result;
    }

    public int[] Reorder(int[] s, Random rng)
    {
        var count = (int)Math.Floor(s.Length * reorder);
        var begin = rng.Next(s.Length - count + 1);
        var result = (int[])s.Clone();
        rng.Shuffle(result.AsSpan(begin, count));
        return result;
    }

    /// <summary>Two views of <paramref name="s"/> by two different augmentations (the sequence itself twice when it has one item).</summary>
    public (int[] First, int[] Second) Pair(int[] s, Random rng)
    {
        if (s.Length <= 1) return (s, s);
        var first = rng.Next(3);
        var second = (first + 1 + rng.Next(2)) % 3;
        return (Apply(first, s, rng), Apply(second, s, rng));
    }

    private int[] Apply(int which, int[] s, Random rng) => which switch
    {
        0 => Crop(s, rng),
        1 => Mask(s, rng),
        _ => Reorder(s, rng),
    };
}
