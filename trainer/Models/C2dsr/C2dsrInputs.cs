namespace CrossDomain.Trainer.Models.C2dsr;

/// <summary>
/// C2DSR's inputs (loader.py), left-padded to a fixed length, 0 for padding. For each user: the merged sequence and
/// its positions 1, 2, …; the source (X) and target (Y) sequences in place with their own positions 1, 2, … (0
/// elsewhere); and for training the targets: the next item at every position for the shared heads, the next item of
/// the same domain at every position of that domain for the domain heads, and two corrupted merged sequences whose
/// other domain's items are replaced by random items of that domain (the infomax negatives).
/// </summary>
public sealed class C2dsrInputs
{
    public required int Batch { get; init; }
    public required int Length { get; init; }
    public required long[] Mixed { get; init; }
    public required long[] Positions { get; init; }
    public required long[] SourceSeq { get; init; }
    public required long[] SourcePositions { get; init; }
    public required long[] TargetSeq { get; init; }
    public required long[] TargetPositions { get; init; }
    /// <summary>Next item at each position (0: padding).</summary>
    public long[] Next { get; init; } = [];
    /// <summary>At each position of the X (Y) sequence, the next X (Y) item; 0 elsewhere (loader.py's x_ground with its mask).</summary>
    public long[] NextSource { get; init; } = [];
    public long[] NextTarget { get; init; } = [];
    /// <summary>The merged sequence with its target items replaced by random target items (corru_x), and the converse (corru_y).</summary>
    public long[] CorruptTarget { get; init; } = [];
    public long[] CorruptSource { get; init; } = [];

    /// <summary>Whether a training row has a next item of both domains (loader.py skips the others: the infomax needs both).</summary>
    public static bool Trainable(int[] merged, Func<int, bool> isSource) => merged.Length >= 2 && Trainable(From(merged, isSource));

    private static bool Trainable(Row row) => row.NextSource.Any(i => i != 0) && row.NextTarget.Any(i => i != 0);

    /// <summary>The trainable rows of <paramref name="merged"/> (loader.py drops the rest); <see cref="Batch"/> counts them.</summary>
    public static C2dsrInputs ForTraining(IReadOnlyList<int[]> merged, int length, Func<int, bool> isSource, int[] sourceItems, int[] targetItems, Random random)
    {
        var rows = merged.Where(s => s.Length >= 2).Select(s => From(s, isSource)).Where(Trainable).ToList();
        // Corrupted after the filter, row by row: the random draws go to the rows that train.
        foreach (var row in rows)
        {
            row.CorruptTarget = [.. row.Mixed.Select(i => isSource(i) ? i : targetItems[random.Next(targetItems.Length)])];
            row.CorruptSource = [.. row.Mixed.Select(i => isSource(i) ? sourceItems[random.Next(sourceItems.Length)] : i)];
        }
        return Stack(rows, length, training: true);
    }

    public static C2dsrInputs ForScoring(IReadOnlyList<int[]> inputs, int length, Func<int, bool> isSource) =>
        Stack([.. inputs.Select(x => Row.InPlace(x, x.Length, isSource))], length, training: false);

    private sealed class Row
    {
        public int[] Mixed = [], Source = [], Target = [], Next = [], NextSource = [], NextTarget = [], CorruptTarget = [], CorruptSource = [];

        /// <summary>The first <paramref name="n"/> items of <paramref name="s"/> as the input, each domain in place.</summary>
        public static Row InPlace(int[] s, int n, Func<int, bool> isSource) => new()
        {
            Mixed = s[..n],
            Source = [.. s[..n].Select(i => isSource(i) ? i : 0)],
            Target = [.. s[..n].Select(i => isSource(i) ? 0 : i)],
        };
    }

    private static Row From(int[] s, Func<int, bool> isSource)
    {
        var n = s.Length - 1;
        var row = Row.InPlace(s, n, isSource);
        row.Next = s[1..];
        row.NextSource = new int[n];
        row.NextTarget = new int[n];
        // From the end: the last item of a domain predicts the final target when that is of its domain, and is
        // dropped from the domain sequence otherwise; every earlier item of a domain predicts the domain's next one.
        foreach (var (seq, next, inDomain) in new[] { (row.Source, row.NextSource, true), (row.Target, row.NextTarget, false) })
        {
            var later = -1;
            for (int t = n - 1; t >= 0; t--)
            {
                if (seq[t] == 0) continue;
                if (later < 0)
                {
                    later = seq[t];
                    if (isSource(s[^1]) == inDomain) next[t] = s[^1];
                    else seq[t] = 0;
                }
                else
                {
                    next[t] = later;
                    later = seq[t];
                }
            }
        }
        return row;
    }

    private static C2dsrInputs Stack(IReadOnlyList<Row> rows, int length, bool training)
    {
        long[] New() => new long[rows.Count * length];
        var r = new C2dsrInputs
        {
            Batch = rows.Count, Length = length, Mixed = New(), Positions = New(), SourceSeq = New(), SourcePositions = New(), TargetSeq = New(), TargetPositions = New(),
            Next = training ? New() : [], NextSource = training ? New() : [], NextTarget = training ? New() : [],
            CorruptTarget = training ? New() : [], CorruptSource = training ? New() : [],
        };
        for (int u = 0; u < rows.Count; u++)
        {
            var row = rows[u];
            var keep = Math.Min(length, row.Mixed.Length);
            var from = row.Mixed.Length - keep;
            int counter = 0, sourceCounter = 0, targetCounter = 0;
            for (int k = 0; k < keep; k++)
            {
                int at = u * length + length - keep + k, t = from + k;
                r.Mixed[at] = row.Mixed[t];
                r.Positions[at] = ++counter;
                r.SourceSeq[at] = row.Source[t];
                r.SourcePositions[at] = row.Source[t] != 0 ? ++sourceCounter : 0;
                r.TargetSeq[at] = row.Target[t];
                r.TargetPositions[at] = row.Target[t] != 0 ? ++targetCounter : 0;
                if (!training) continue;
                r.Next[at] = row.Next[t];
                r.NextSource[at] = row.NextSource[t];
                r.NextTarget[at] = row.NextTarget[t];
                r.CorruptTarget[at] = row.CorruptTarget[t];
                r.CorruptSource[at] = row.CorruptSource[t];
            }
        }
        return r;
    }
}
