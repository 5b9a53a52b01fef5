using System.Text.Json;
using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Extract;
using CrossDomain.Stages.Sequences;
using CrossDomain.Stages.Train;
using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Stages.Report;

/// <summary>
/// Everything the report reads, from its deps, recognised by the outputs each dep stage has: sequences stages
/// (<c>stats</c>), extract stages (<c>report</c> beside <c>item_tags</c>), features stages (<c>items</c>,
/// <c>users</c>, <c>manifest</c>), train stages (<c>history</c>, <c>summary</c>, <c>item_representations</c>) and evaluate
/// stages (<c>results</c> beside <c>table</c>). Deps come in the order the pipeline lists them.
/// </summary>
public sealed class ReportInputs
{
    public sealed record Dataset(string Stage, SequenceStats Stats);
    public sealed record Extraction(string Stage, JsonElement Report, IList<TagRow> Tags, IList<ItemTagRow> ItemTags);
    public sealed record Features(string Stage, string Folder, FeatureTables Tables, string Direction);
    /// <summary>A train stage's run; <paramref name="Representations"/> is its <c>item_representations.parquet</c> (empty when the model exposes none).</summary>
    public sealed record TrainRun(string Stage, string Model, string Direction, TrainingConfig Config, IList<HistoryRow> History,
        IList<ItemRepresentationRow> Representations);
    public sealed record Evaluation(string Stage, string Title, IList<ResultRow> Rows);

    public List<Dataset> Datasets { get; } = [];
    public List<Extraction> Extractions { get; } = [];
    public List<Features> FeatureSets { get; } = [];
    public List<TrainRun> Runs { get; } = [];
    public List<Evaluation> Evaluations { get; } = [];

    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, PropertyNameCaseInsensitive = true };

    public static async Task<ReportInputs> ReadAsync(IReadOnlyList<UpstreamOutput> upstream, CancellationToken ct)
    {
        var inputs = new ReportInputs();
        foreach (var stage in upstream.GroupBy(u => u.Stage))
        {
            var outputs = stage.GroupBy(u => u.Name).ToDictionary(g => g.Key, g => g.First().Path);
            string Path(string name) => outputs[name];
            bool Has(params string[] names) => names.All(outputs.ContainsKey);
            if (Has("stats"))
                inputs.Datasets.Add(new Dataset(stage.Key, Read<SequenceStats>(Path("stats"))));
            else if (Has("report", "item_tags", "tag_vocabulary"))
            {
                using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path("report"), ct));
                inputs.Extractions.Add(new Extraction(stage.Key, doc.RootElement.Clone(),
                    await ParquetArtifact.ReadAsync<TagRow>(Path("tag_vocabulary"), ct), await ParquetArtifact.ReadAsync<ItemTagRow>(Path("item_tags"), ct)));
            }
            else if (Has("items", "users", "manifest"))
            {
                var tables = await FeatureTables.LoadAsync(Path("items"), Path("users"), Path("manifest"), ct);
                inputs.FeatureSets.Add(new Features(stage.Key, System.IO.Path.GetDirectoryName(Path("items"))!, tables, Direction(tables.Manifest)));
            }
            else if (Has("history", "summary", "item_representations"))
            {
                var summary = TrainSummary.Load(Path("summary"));
                var config = summary.Config ?? throw new StageException($"{Path("summary")}: no config");
                inputs.Runs.Add(new TrainRun(stage.Key, summary.Model, summary.Direction, config,
                    await ParquetArtifact.ReadAsync<HistoryRow>(Path("history"), ct), await ParquetArtifact.ReadAsync<ItemRepresentationRow>(Path("item_representations"), ct)));
            }
            else if (Has("results", "table"))
            {
                var title = File.ReadLines(Path("table")).FirstOrDefault(l => l.StartsWith("# "))?[2..] ?? stage.Key;
                inputs.Evaluations.Add(new Evaluation(stage.Key, title, await ParquetArtifact.ReadAsync<ResultRow>(Path("results"), ct)));
            }
        }
        if (inputs.Evaluations.Count == 0 && inputs.Datasets.Count == 0 && inputs.Extractions.Count == 0)
            throw new StageException("the report has nothing to show: give it sequences, extract, features, train or evaluate stages as deps");
        return inputs;
    }

    private static T Read<T>(string path)
    {
        try { return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Snake) ?? throw new StageException($"{path}: empty"); }
        catch (JsonException e) { throw new StageException($"{path}: {e.Message}"); }
    }

    public static string Direction(JsonElement manifest) =>
        manifest.TryGetProperty("source", out var s) && manifest.TryGetProperty("target", out var t) ? $"{s.GetString()}→{t.GetString()}" : "";
}
