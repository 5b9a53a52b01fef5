using System.Text.Json.Serialization;
using CrossDomain.Trainer.Evaluation;

namespace CrossDomain.Trainer.Training;

/// <summary>
/// One seed's outcome: the epoch chosen on validation, its validation and (scored once) test metrics, and the model's
/// learned weights at that epoch (<see cref="Models.RecommenderModel.LearnedWeights"/>; empty for a model without any,
/// null only in results written before they were recorded).
/// </summary>
public sealed record SeedResult(
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("best_epoch")] int BestEpoch,
    [property: JsonPropertyName("epochs")] int Epochs,
    [property: JsonPropertyName("stopped_early")] bool StoppedEarly,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("history")] IReadOnlyList<EpochLog> History,
    [property: JsonPropertyName("valid")] EvaluationResult Valid,
    [property: JsonPropertyName("test")] EvaluationResult Test,
    [property: JsonPropertyName("learned_weights")] IReadOnlyDictionary<string, double>? LearnedWeights = null);

/// <summary>Every seed of one model under one configuration.</summary>
public sealed record TrainingResult(string Model, string Device, IReadOnlyList<SeedResult> Seeds);
