using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace CrossDomain.Trainer.Training;

/// <summary>
/// One configuration for every model (RecBole's discipline): the model is a name, everything else is shared.
/// Defaults follow SemaCDR's setup (hidden 64, 1 head, 2 blocks, dropout 0.5, length 100, batch 256, Adam 1e-3).
/// The train stage's params are this record plus what only the pipeline needs, bound from YAML directly (no copy):
/// the descriptions and ranges below are what <c>crossdomain list</c> prints and the pipeline loader checks, written
/// with the BCL's attributes because this library knows nothing of the pipeline.
/// </summary>
public record TrainingConfig
{
    [Description("Model name: sasrec, gru4rec, popularity, random (see docs/models.md).")]
    public string Model { get; init; } = "sasrec";

    [Description("Seeds; each is trained and evaluated, tables report mean ± std. Must be drawn by the negatives stage.")]
    [Range(0, double.PositiveInfinity)]
    public IReadOnlyList<int> Seeds { get; init; } = [42];

    [Description("Maximum epochs.")]
    [Range(1, double.PositiveInfinity)]
    public int Epochs { get; init; } = 200;

    /// <summary>Epochs without a new best validation score before training stops; 0 trains the whole budget (the best validated checkpoint is kept either way).</summary>
    [Description("Epochs since the best validation before training stops; 0: no early stopping (the whole budget, the best validated checkpoint kept).")]
    [Range(0, double.PositiveInfinity)]
    public int Patience { get; init; } = 20;

    /// <summary>No early stop before this epoch, however flat the validation curve (noisy metrics on small data stop too soon).</summary>
    [Description("No early stop before this epoch.")]
    [Range(0, double.PositiveInfinity)]
    public int MinEpochs { get; init; }

    /// <summary>Who is scored: users with at least this many target-domain interactions (training, validation and test together); 0 scores everyone. All users still train.</summary>
    [Description("Who is scored (validation and test): users with at least this many target interactions, training, validation and test together; 0: everyone. All users train.")]
    [Range(0, double.PositiveInfinity)]
    public int EvalMinTargetItems { get; init; }

    /// <summary>Training objective (bce, bpr, ce, sampled_softmax; see <see cref="NextItemObjective"/>); empty: the model's own (its paper's).</summary>
    [Description("Training objective: bce, bpr, ce or sampled_softmax (docs: Models, Loss family); empty: the model's own (SASRec bce, GRU4Rec and SemaCDR bpr, TEMA-LLM ce).")]
    public string Loss { get; init; } = "";

    /// <summary>Negatives per batch of <c>loss: sampled_softmax</c>.</summary>
    [Description("Negatives per batch of loss: sampled_softmax (shared by the batch's positions).")]
    [Range(1, double.PositiveInfinity)]
    public int LossNegatives { get; init; } = NextItemObjective.DefaultNegatives;

    [Description("Users per batch.")]
    [Range(1, double.PositiveInfinity)]
    public int BatchSize { get; init; } = 256;

    [Description("Adam learning rate.")]
    [Range(0, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double LearningRate { get; init; } = 1e-3;

    [Description("Adam weight decay (L2).")]
    [Range(0, double.PositiveInfinity)]
    public double WeightDecay { get; init; }

    [Description("Hidden size d.")]
    [Range(1, double.PositiveInfinity)]
    public int Hidden { get; init; } = 64;

    [Description("Attention heads.")]
    [Range(1, double.PositiveInfinity)]
    public int Heads { get; init; } = 1;

    [Description("Transformer blocks.")]
    [Range(1, double.PositiveInfinity)]
    public int Blocks { get; init; } = 2;

    [Description("Dropout rate.")]
    [Range(0, 0.95)]
    public double Dropout { get; init; } = 0.5;

    [Description("Sequence length: the most recent items are kept.")]
    [Range(1, double.PositiveInfinity)]
    [JsonPropertyName("max_len")]
    public int MaxLength { get; init; } = 100;

    /// <summary>auto (cuda when available), cpu or cuda.</summary>
    [Description("auto (cuda when available), cpu or cuda; the device chosen is logged.")]
    public string Device { get; init; } = "auto";

    /// <summary>Validation metric that early stopping and checkpoint selection use, e.g. NDCG@10.</summary>
    [Description("Validation metric for early stopping and checkpoint selection (HR@K, NDCG@K, MRR).")]
    public string SelectMetric { get; init; } = "NDCG@10";

    /// <summary>Protocol of <see cref="SelectMetric"/>: sampled or full.</summary>
    [Description("Protocol of select_metric: full or sampled.")]
    public string SelectProtocol { get; init; } = "full";

    [Description("Validate every this many epochs.")]
    [Range(1, double.PositiveInfinity)]
    public int EvalEvery { get; init; } = 1;

    [Description("Users per evaluation batch.")]
    [Range(1, double.PositiveInfinity)]
    public int EvalBatchSize { get; init; } = 512;

    /// <summary>Model-specific settings (for example SemaCDR's λ), by name; each model documents its own.</summary>
    [Description("Model-specific settings by name: the model's options record's properties in snake_case (docs/models.md), e.g. { gru_layers: 1 }; checked when the pipeline loads.")]
    public IReadOnlyDictionary<string, string> ModelParams { get; init; } = new Dictionary<string, string>();

    /// <summary>Throws with the offending key when a value cannot work.</summary>
    public void Validate()
    {
        void Require(bool ok, string key, string message)
        {
            if (!ok) throw new ArgumentException($"{key}: {message}");
        }
        Require(Seeds.Count > 0, "seeds", "give at least one seed");
        Require(Seeds.Distinct().Count() == Seeds.Count, "seeds", "seeds must be distinct");
        Require(Epochs >= 1, "epochs", "must be ≥ 1");
        Require(Patience >= 0, "patience", "must be ≥ 0 (0: no early stopping)");
        Require(MinEpochs >= 0, "min_epochs", "must be ≥ 0");
        Require(EvalMinTargetItems >= 0, "eval_min_target_items", "must be ≥ 0");
        Require(Loss.Length == 0 || NextItemObjective.Names.Contains(Loss), "loss", $"one of {string.Join(", ", NextItemObjective.Names)} (empty: the model's own)");
        Require(LossNegatives >= 1, "loss_negatives", "must be ≥ 1");
        Require(BatchSize >= 1, "batch_size", "must be ≥ 1");
        Require(LearningRate > 0, "learning_rate", "must be > 0");
        Require(Hidden >= 1 && Heads >= 1 && Hidden % Heads == 0, "hidden", $"must be a positive multiple of heads ({Heads})");
        Require(Blocks >= 1, "blocks", "must be ≥ 1");
        Require(Dropout is >= 0 and < 1, "dropout", "must be in [0, 1)");
        Require(MaxLength >= 2, "max_len", "must be ≥ 2");
        Require(Device is "auto" or "cpu" or "cuda", "device", "auto, cpu or cuda");
        Require(SelectProtocol is "sampled" or "full", "select_protocol", "sampled or full");
        Require(EvalEvery >= 1, "eval_every", "must be ≥ 1");
        var metrics = new Evaluation.MetricAccumulator();
        metrics.Add(1);
        Require(metrics.Means().ContainsKey(SelectMetric), "select_metric", $"one of {string.Join(", ", metrics.Means().Keys)}");
    }

    public string Param(string name, string fallback) => ModelParams.TryGetValue(name, out var v) ? v : fallback;

    public double Param(string name, double fallback)
    {
        if (!ModelParams.TryGetValue(name, out var v)) return fallback;
        return double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d
            : throw new ArgumentException($"model_params.{name}: '{v}' is not a number");
    }
}
