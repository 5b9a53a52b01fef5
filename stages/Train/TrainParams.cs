using CrossDomain.Engine.Stages;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Stages.Train;

/// <summary>One config for every model (RecBole's discipline); defaults are SemaCDR's shared setup.</summary>
public sealed class TrainParams : IValidatableParams
{
    [Param("Model name: sasrec, gru4rec, popularity, random (see docs/models.md).")]
    public string Model { get; set; } = "sasrec";

    [Param("Name of this run in results tables (default: the model's name), e.g. \"SemaCDR w/o InnSem\".")]
    public string Label { get; set; } = "";

    [Param("Seeds; each is trained and evaluated, tables report mean ± std. Must be drawn by the negatives stage.", Min = 0)]
    public List<int> Seeds { get; set; } = [42];

    [Param("Negatives per test case expected in the negatives stage's files (the papers' 100).", Min = 1)]
    public int Negatives { get; set; } = 100;

    [Param("Maximum epochs.", Min = 1)]
    public int Epochs { get; set; } = 200;

    [Param("Epochs since the best validation before training stops; 0: no early stopping (the whole budget, the best validated checkpoint kept).", Min = 0)]
    public int Patience { get; set; } = 20;

    [Param("No early stop before this epoch.", Min = 0)]
    public int MinEpochs { get; set; }

    [Param("Who is scored (validation and test): users with at least this many target interactions, training, validation and test together; 0: everyone. All users train.", Min = 0)]
    public int EvalMinTargetItems { get; set; }

    [Param("Training objective: bce, bpr, ce or sampled_softmax (docs: Models, Loss family); empty: the model's own (SASRec bce, GRU4Rec and SemaCDR bpr, TEMA-LLM ce).")]
    public string Loss { get; set; } = "";

    [Param("Negatives per batch of loss: sampled_softmax (shared by the batch's positions).", Min = 1)]
    public int LossNegatives { get; set; } = 100;

    [Param("Users per batch.", Min = 1)]
    public int BatchSize { get; set; } = 256;

    [Param("Adam learning rate.", Min = 0, MinExclusive = true)]
    public double LearningRate { get; set; } = 1e-3;

    [Param("Adam weight decay (L2).", Min = 0)]
    public double WeightDecay { get; set; }

    [Param("Hidden size d.", Min = 1)]
    public int Hidden { get; set; } = 64;

    [Param("Attention heads.", Min = 1)]
    public int Heads { get; set; } = 1;

    [Param("Transformer blocks.", Min = 1)]
    public int Blocks { get; set; } = 2;

    [Param("Dropout rate.", Min = 0, Max = 0.95)]
    public double Dropout { get; set; } = 0.5;

    [Param("Sequence length: the most recent items are kept.", Min = 1)]
    public int MaxLen { get; set; } = 100;

    [Param("auto (cuda when available), cpu or cuda; the device chosen is logged.")]
    public string Device { get; set; } = "auto";

    [Param("Validation metric for early stopping and checkpoint selection (HR@K, NDCG@K, MRR).")]
    public string SelectMetric { get; set; } = "NDCG@10";

    [Param("Protocol of select_metric: full or sampled.")]
    public string SelectProtocol { get; set; } = "full";

    [Param("Validate every this many epochs.", Min = 1)]
    public int EvalEvery { get; set; } = 1;

    [Param("Users per evaluation batch.", Min = 1)]
    public int EvalBatchSize { get; set; } = 512;

    [Param("Model-specific settings by name: the model's options record's properties in snake_case (docs/models.md), e.g. { gru_layers: 1 }; checked when the pipeline loads.")]
    public Dictionary<string, string> ModelParams { get; set; } = [];

    public TrainingConfig ToConfig() => new()
    {
        Model = Model, Seeds = Seeds, Epochs = Epochs, Patience = Patience, BatchSize = BatchSize, LearningRate = LearningRate,
        WeightDecay = WeightDecay, Hidden = Hidden, Heads = Heads, Blocks = Blocks, Dropout = Dropout, MaxLength = MaxLen,
        Device = Device, SelectMetric = SelectMetric, SelectProtocol = SelectProtocol, EvalEvery = EvalEvery,
        EvalBatchSize = EvalBatchSize, ModelParams = ModelParams, MinEpochs = MinEpochs, EvalMinTargetItems = EvalMinTargetItems,
        Loss = Loss, LossNegatives = LossNegatives,
    };

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (!ModelCatalog.Names.Contains(Model)) yield return ("model", $"unknown model '{Model}'; known: {string.Join(", ", ModelCatalog.Names)}");
        if (Negatives < 1) yield return ("negatives", "must be >= 1");
        string? problem = null;
        try
        {
            var config = ToConfig();
            config.Validate();
            // model_params against the model's options record, so that a bad switch fails when the pipeline loads.
            if (ModelCatalog.Names.Contains(Model)) ModelCatalog.Options(config);
            if (ModelCatalog.Names.Contains(Model) && ModelCatalog.IsTrainable(Model)) ModelCatalog.Loss(config);
        }
        catch (ArgumentException e) { problem = e.Message; }
        if (problem is not null)
        {
            var colon = problem.IndexOf(':');
            yield return colon > 0 ? (problem[..colon], problem[(colon + 1)..].Trim()) : ("", problem);
        }
    }
}
