namespace CrossDomain.Trainer.Data;

/// <summary>
/// The tables seen with the domains' roles exchanged, for a target-domain model asked to predict the source domain
/// (under mixed_loo a case can be in either): the source items are the targets, each user's source sequences are
/// its target sequences and the merged sequences' domain flags are flipped. Items, held-out cases and the protocol
/// are unchanged.
/// </summary>
public sealed partial class FeatureTables
{
    /// <summary>These tables (<paramref name="domain"/> "target") or their role-exchanged view ("source").</summary>
    public FeatureTables PredictingDomain(string domain) => domain switch
    {
        "target" => this,
        "source" => new FeatureTables
        {
            Users = Users.Select(WithRolesExchanged).ToList(), ItemCount = ItemCount, TargetItems = SourceItems, SourceItems = TargetItems,
            Manifest = Manifest, Items = Items, LabelCategories = LabelCategories, TagCount = TagCount, Protocol = Protocol,
        },
        _ => throw new ArgumentException($"domain: expected source or target, got '{domain}'"),
    };

    /// <summary>One user with the domains' roles exchanged (a new row; the stored one is unchanged).</summary>
    public static UserRow WithRolesExchanged(UserRow u) => new()
    {
        UserIdx = u.UserIdx,
        SourceTrain = u.TargetTrain, SourceTrainTimestamps = u.TargetTrainTimestamps,
        TargetTrain = u.SourceTrain, TargetTrainTimestamps = u.SourceTrainTimestamps,
        MixedTrain = u.MixedTrain, MixedTrainDomains = Flipped(u.MixedTrainDomains), MixedTrainTimestamps = u.MixedTrainTimestamps,
        SourceTestInput = u.TargetTestInput, SourceTestInputTimestamps = u.TargetTestInputTimestamps,
        TargetTestInput = u.SourceTestInput, TargetTestInputTimestamps = u.SourceTestInputTimestamps,
        MixedTestInput = u.MixedTestInput, MixedTestInputDomains = Flipped(u.MixedTestInputDomains), MixedTestInputTimestamps = u.MixedTestInputTimestamps,
        ValidItem = u.ValidItem, ValidTimestamp = u.ValidTimestamp, TestItem = u.TestItem, TestTimestamp = u.TestTimestamp,
    };

    private static int[] Flipped(int[] domains) => [.. domains.Select(d => 1 - d)];
}
