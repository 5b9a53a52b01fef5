using System.Text.Json.Serialization;

namespace CrossDomain.Trainer.Training;

/// <summary>One epoch of one seed: the training loss, validation metrics when validated, and wall time.</summary>
public sealed record EpochLog(
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("loss")] double Loss,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("validation_sampled")] IReadOnlyDictionary<string, double>? ValidationSampled,
    [property: JsonPropertyName("validation_full")] IReadOnlyDictionary<string, double>? ValidationFull,
    [property: JsonPropertyName("is_best")] bool IsBest);

/// <summary>Hooks for logs and progress; every method is optional.</summary>
public interface ITrainingObserver
{
    void OnStart(string message) { }
    void OnBatch(int seed, int epoch, int done, int total) { }
    void OnEpoch(EpochLog log, string line) { }
    void OnSeedEnd(int seed) { }
}
