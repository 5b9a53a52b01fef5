using System.Text.Json;
using CrossDomain.Engine.Stages;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Stages.Train;

/// <summary>
/// A train stage's <c>summary.json</c>: what trained, on what, under which configuration, and each seed's test
/// metrics. The train stage writes it; evaluate and report read it through this type (snake_case names, in this order).
/// </summary>
public sealed record TrainSummary
{
    public required string Model { get; init; }
    public required string Direction { get; init; }
    public string? Device { get; init; }
    /// <summary>The next-item objective; null for fixed rankers, and in summaries written before the loss family.</summary>
    public string? Loss { get; init; }
    public string? Extractor { get; init; }
    public bool Synthetic { get; init; }
    /// <summary>Test items on the day of a source interaction that is in the user's test inputs (cross_domain_ties: source_first).</summary>
    public int SameDaySourceTestItems { get; init; }
    public int TestUsers { get; init; }
    public TrainingConfig? Config { get; init; }
    public IReadOnlyList<SeedSummary> Seeds { get; init; } = [];
    public IReadOnlyDictionary<string, MeanStd> TestFull { get; init; } = new Dictionary<string, MeanStd>();
    public IReadOnlyDictionary<string, MeanStd> TestSampled { get; init; } = new Dictionary<string, MeanStd>();

    public sealed record SeedSummary(int Seed, int BestEpoch, int Epochs, bool StoppedEarly, double TrainSeconds,
        IReadOnlyDictionary<string, double> TestFull, IReadOnlyDictionary<string, double> TestSampled, IReadOnlyDictionary<string, double> LearnedWeights);

    public sealed record MeanStd(double Mean, double Std);

    private static readonly JsonSerializerOptions Read = new(ReportJson.Options) { PropertyNameCaseInsensitive = true };

    public string ToJson() => JsonSerializer.Serialize(this, ReportJson.Options);

    /// <summary>Reads a summary.json; a file that is not one is an error naming it.</summary>
    public static TrainSummary Load(string path)
    {
        try { return JsonSerializer.Deserialize<TrainSummary>(File.ReadAllText(path), Read) ?? throw new StageException($"{path}: empty"); }
        catch (JsonException e) { throw new StageException($"{path}: not a train summary: {e.Message}"); }
    }
}
