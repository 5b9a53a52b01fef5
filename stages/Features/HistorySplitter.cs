using CrossDomain.Stages.Sequences;
using CrossDomain.Trainer.Data;

namespace CrossDomain.Stages.Features;

/// <summary>
/// Cuts a user's sequences at the validation and the test interaction. The cut point in the mixed sequence is the
/// position of the second-to-last (validation) or last (test) target interaction; source items after it are the
/// ones that follow it in the mixed order (target_loo; mixed_loo cuts the merged sequence itself, <see cref="SplitMixed"/>). When truncation to max_len dropped the cut point from the mixed
/// sequence, timestamps decide, and a tie counts as "after": an input may lose an interaction, never leak one.
/// </summary>
public static class HistorySplitter
{
    public static FeatureTables.UserRow Split(SequenceRow s, EvaluationProtocol protocol = EvaluationProtocol.TargetLoo)
    {
        if (protocol == EvaluationProtocol.MixedLoo) return SplitMixed(s);
        if (s.TargetItems.Length < 3) throw new InvalidDataException($"user {s.User}: fewer than 3 target interactions");
        var row = new FeatureTables.UserRow
        {
            UserIdx = s.UserIdx, ValidItem = s.ValidItem, ValidTimestamp = s.ValidTimestamp, TestItem = s.TestItem, TestTimestamp = s.TestTimestamp,
            TargetTrain = s.TargetItems[..^2],
            TargetTrainTimestamps = s.TargetTimestamps[..^2],
            TargetTestInput = s.TargetItems[..^1],
            TargetTestInputTimestamps = s.TargetTimestamps[..^1],
        };
        // Positions of the last two target interactions in the mixed sequence (-1 when truncated away).
        int testPos = -1, validPos = -1;
        for (int i = s.MixedDomains.Length - 1; i >= 0 && validPos < 0; i--)
            if (s.MixedDomains[i] == 1)
            {
                if (testPos < 0) testPos = i;
                else validPos = i;
            }
        (row.SourceTrain, row.MixedTrain, row.MixedTrainDomains, row.MixedTrainTimestamps) = Cut(s, validPos, s.ValidTimestamp);
        (row.SourceTestInput, row.MixedTestInput, row.MixedTestInputDomains, row.MixedTestInputTimestamps) = Cut(s, testPos, s.TestTimestamp);
        row.SourceTrainTimestamps = s.SourceTimestamps[..row.SourceTrain.Length];
        row.SourceTestInputTimestamps = s.SourceTimestamps[..row.SourceTestInput.Length];
        return row;
    }

    /// <summary>
    /// mixed_loo: the merged sequence's last interaction is the test case, the one before it the validation case.
    /// Every input is a prefix of the merged sequence (strictly before the held-out position) and its domain parts, so
    /// ties need no timestamps: the merged order decides.
    /// </summary>
    private static FeatureTables.UserRow SplitMixed(SequenceRow s)
    {
        var n = s.MixedItems.Length;
        if (n < 3) throw new InvalidDataException($"user {s.User}: fewer than 3 interactions in the merged sequence");
        var row = new FeatureTables.UserRow
        {
            UserIdx = s.UserIdx, ValidItem = s.MixedItems[n - 2], ValidTimestamp = s.MixedTimestamps[n - 2],
            TestItem = s.MixedItems[n - 1], TestTimestamp = s.MixedTimestamps[n - 1],
        };
        (row.SourceTrain, row.SourceTrainTimestamps, row.TargetTrain, row.TargetTrainTimestamps) = s.DomainParts(n - 2);
        (row.SourceTestInput, row.SourceTestInputTimestamps, row.TargetTestInput, row.TargetTestInputTimestamps) = s.DomainParts(n - 1);
        (row.MixedTrain, row.MixedTrainDomains, row.MixedTrainTimestamps) = (s.MixedItems[..(n - 2)], s.MixedDomains[..(n - 2)], s.MixedTimestamps[..(n - 2)]);
        (row.MixedTestInput, row.MixedTestInputDomains, row.MixedTestInputTimestamps) = (s.MixedItems[..(n - 1)], s.MixedDomains[..(n - 1)], s.MixedTimestamps[..(n - 1)]);
        return row;
    }

    private static (int[] Source, int[] Mixed, int[] Domains, long[] Timestamps) Cut(SequenceRow s, int pos, long timestamp)
    {
        if (pos >= 0)
        {
            int sourceAfter = 0;
            for (int i = pos + 1; i < s.MixedDomains.Length; i++) if (s.MixedDomains[i] == 0) sourceAfter++;
            return (s.SourceItems[..(s.SourceItems.Length - sourceAfter)], s.MixedItems[..pos], s.MixedDomains[..pos], s.MixedTimestamps[..pos]);
        }
        int sourceKeep = s.SourceTimestamps.Count(t => t < timestamp);
        int mixedKeep = s.MixedTimestamps.Count(t => t < timestamp);
        return (s.SourceItems[..sourceKeep], s.MixedItems[..mixedKeep], s.MixedDomains[..mixedKeep], s.MixedTimestamps[..mixedKeep]);
    }
}
