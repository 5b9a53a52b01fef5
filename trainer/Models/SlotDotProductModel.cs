using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.SemaCdr;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models;

/// <summary>
/// A target-domain model that encodes every target slot of a <see cref="CrossDomainInput"/> and scores items by dot
/// product with its one item table (SASRec's output layer), trained with the shared loss family (CD-SASRec, TJAPL).
/// A model states its encoder; the loss and the scores are this class's.
/// </summary>
/// <param name="model">The catalog name, whose paper objective applies when <c>loss</c> is empty.</param>
public abstract class SlotDotProductModel(string name, string model, FeatureTables tables, TrainingConfig config) : RecommenderModel(name)
{
    private readonly NextItemObjective _objective = ModelCatalog.Objective(model, config);
    private readonly int[] _targetItems = tables.TargetItems;
    protected int MaxLength { get; } = config.MaxLength;

    /// <summary>The item table the slots are scored against (both domains' items; row 0 is padding).</summary>
    protected abstract Embedding Items { get; }

    /// <summary>The hidden state at every target slot [batch, target length, d].</summary>
    protected abstract Tensor Encode(CrossDomainInput input, Device device);

    public override Tensor Loss(TrainingBatch batch)
    {
        var input = CrossDomainInput.ForTraining(batch.Users, MaxLength, batch.TargetNegatives);
        var rows = NextItemObjective.Rows(Encode(input, batch.Device), input.Positives, input.Negatives, _targetItems);
        return _objective.Loss(rows, new DotProductScorer(ids => Items.forward(ids)), batch.Random, batch.Device);
    }

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var last = Encode(CrossDomainInput.ForScoring(users, split, MaxLength), device)[.., -1, ..];
        return CheckedMatmul.Product(last, Items.weight!.t());
    }
}
