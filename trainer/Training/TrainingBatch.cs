using CrossDomain.Trainer.Data;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Training;

/// <summary>What a model's loss sees for one batch: the users, seeded negative samplers per domain, the device.</summary>
public sealed class TrainingBatch
{
    public required IReadOnlyList<FeatureTables.UserRow> Users { get; init; }
    /// <summary>Draws from the items a single-sequence model predicts among (<see cref="FeatureTables.SequenceItems"/>: the target domain's, both domains' under mixed_loo), outside the user's history.</summary>
    public required NegativeSampler TargetNegatives { get; init; }
    /// <summary>Draws from source-domain items (for models that also predict source behaviour).</summary>
    public required NegativeSampler SourceNegatives { get; init; }
    /// <summary>The epoch's generator, for anything else a model samples.</summary>
    public required Random Random { get; init; }
    public required Device Device { get; init; }
    /// <summary>The epoch (from 1): a model with <see cref="Models.RecommenderModel.PretrainEpochs"/> trains another objective first.</summary>
    public required int Epoch { get; init; }
}
