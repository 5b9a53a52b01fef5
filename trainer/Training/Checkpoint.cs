using System.Text.Json;
using System.Text.Json.Serialization;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Training;

/// <summary>Where training stands: what a checkpoint's state.json holds beside the weights and optimiser state.</summary>
public sealed class TrainingState
{
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("seed")] public int Seed { get; set; }
    /// <summary>Last completed epoch (1-based); 0 before the first.</summary>
    [JsonPropertyName("epoch")] public int Epoch { get; set; }
    [JsonPropertyName("best_epoch")] public int BestEpoch { get; set; }
    [JsonPropertyName("best_score")] public double BestScore { get; set; } = double.NegativeInfinity;
    [JsonPropertyName("evaluations_without_improvement")] public int EvaluationsWithoutImprovement { get; set; }
    [JsonPropertyName("stopped_early")] public bool StoppedEarly { get; set; }
    [JsonPropertyName("history")] public List<EpochLog> History { get; set; } = [];
    /// <summary>The CPU generator's state after the epoch (each epoch also reseeds from (seed, epoch), so resuming needs only the epoch).</summary>
    [JsonPropertyName("torch_rng_state")] public string TorchRngState { get; set; } = "";
    /// <summary>Seed of the .NET generator that batches and negatives of the next epoch use.</summary>
    [JsonPropertyName("next_epoch_seed")] public int NextEpochSeed { get; set; }
    [JsonPropertyName("config")] public TrainingConfig? Config { get; set; }
}

/// <summary>
/// A checkpoint folder: <c>model.dat</c> (module weights), <c>optimizer.dat</c> (Adam moments and step counts) and
/// <c>state.json</c> (<see cref="TrainingState"/>). Written to a sibling temp folder and swapped in, so a kill while
/// saving leaves the previous checkpoint whole.
/// </summary>
public static class Checkpoint
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static void Save(string folder, RecommenderModel model, TorchSharp.Modules.OptimizerHelper optimizer, TrainingState state)
    {
        var temp = folder + ".tmp";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        model.save(Path.Combine(temp, "model.dat"));
        optimizer.save_state_dict(Path.Combine(temp, "optimizer.dat"));
        File.WriteAllText(Path.Combine(temp, "state.json"), JsonSerializer.Serialize(state, Json));
        var old = folder + ".old";
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(folder)) Directory.Move(folder, old);
        Directory.Move(temp, folder);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>The state of a checkpoint folder, or null when there is none (a save cut off between its two renames is recovered).</summary>
    public static TrainingState? ReadState(string folder)
    {
        if (!Directory.Exists(folder) && Directory.Exists(folder + ".old")) Directory.Move(folder + ".old", folder);
        var file = Path.Combine(folder, "state.json");
        if (!File.Exists(file)) return null;
        try { return JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(file), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{file}: unreadable checkpoint state ({e.Message}); delete the folder to start over", e); }
    }

    public static void LoadWeights(string folder, RecommenderModel model) => model.load(Path.Combine(folder, "model.dat"));

    public static void LoadOptimizer(string folder, KeptScalarAdam optimizer) => optimizer.LoadStateFile(Path.Combine(folder, "optimizer.dat"));

    public static string SerializeRngState()
    {
        using var state = torch.random.get_rng_state();
        return Convert.ToBase64String(state.data<byte>().ToArray());
    }

    public static void RestoreRngState(string base64)
    {
        if (base64.Length == 0) return;
        var bytes = Convert.FromBase64String(base64);
        using var state = torch.tensor(bytes, dtype: ScalarType.Byte);
        torch.random.set_rng_state(state);
    }
}
