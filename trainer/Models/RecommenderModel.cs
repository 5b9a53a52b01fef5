using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models;

/// <summary>
/// A trainable recommender: a TorchSharp module with its training loss and its scores over every item. The training
/// loop, checkpoints and evaluation are shared; a new model implements these two methods and registers in
/// <see cref="ModelCatalog"/>.
/// </summary>
public abstract class RecommenderModel(string name) : nn.Module(name)
{
    /// <summary>Scalar loss of one batch (training mode; the caller runs backward and the optimiser step).</summary>
    public abstract Tensor Loss(TrainingBatch batch);

    /// <summary>
    /// Epochs at the start that train a pretraining objective (<see cref="Loss"/> reads <see cref="TrainingBatch.Epoch"/>):
    /// they are not validated, so checkpoint selection and early stopping start after them. 0 for none.
    /// </summary>
    public virtual int PretrainEpochs => 0;

    /// <summary>Scores [users, items + 1] (column 0 is padding) from each user's inputs at <paramref name="split"/>.</summary>
    public abstract Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device);

    /// <summary>Parameter groups and their learning rates; one group at the configured rate unless a model needs more.</summary>
    public virtual IEnumerable<(IEnumerable<TorchSharp.Modules.Parameter> Parameters, double LearningRate)> ParameterGroups(TrainingConfig config) =>
        [(parameters(), config.LearningRate)];

    /// <summary>Adam's β and how weight decay applies: the model's reference optimiser (SASRec's Adam with β₂ = 0.98 unless a model says otherwise).</summary>
    public virtual OptimizerSettings Optimizer => new(0.9, 0.98, DecoupledWeightDecay: false);

    /// <summary>
    /// The factor on every group's learning rate for <paramref name="epoch"/>, from the epochs before it (their
    /// validations and which were best), so that a resumed run schedules as an uninterrupted one. 1 (a constant rate)
    /// unless the model's reference schedules it (ABXI: a warm-up epoch and ReduceLROnPlateau).
    /// </summary>
    public virtual double LearningRateFactor(IReadOnlyList<EpochLog> history, int epoch) => 1;

    /// <summary>
    /// Learned scalars a reader should see beside the metrics, such as SemaCDR's fusion weights; read after the best
    /// checkpoint is loaded and saved in each seed's result. Empty unless a model has some.
    /// </summary>
    public virtual IReadOnlyDictionary<string, double> LearnedWeights => new Dictionary<string, double>();

    /// <summary>The target-domain sequence a model may read at <paramref name="split"/>: never the item being predicted.</summary>
    public static int[] TargetInput(FeatureTables.UserRow u, EvalSplit split) => split == EvalSplit.Valid ? u.TargetTrain : u.TargetTestInput;
}

/// <summary>Adam's moments' decay rates, and AdamW's decoupled weight decay (Loshchilov and Hutter) instead of an L2 term in the gradient.</summary>
public sealed record OptimizerSettings(double Beta1, double Beta2, bool DecoupledWeightDecay);

/// <summary>Adapts a model to the evaluator: eval mode, no gradients, one dispose scope per batch.</summary>
public sealed class ModelScorer(RecommenderModel model, string name, Device device) : IRecommenderScorer
{
    public string Name => name;

    public void ScoreAll(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, float[][] scores)
    {
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var all = model.Score(users, split, device).to(CPU).to_type(ScalarType.Float32).contiguous();
        var width = (int)all.shape[1];
        var data = all.data<float>().ToArray();
        for (int i = 0; i < users.Count; i++) Array.Copy(data, i * width, scores[i], 0, width);
    }
}
