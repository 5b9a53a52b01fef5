using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Stages.Train;

/// <summary>
/// The item representations of a trained model that exposes them (<see cref="IItemRepresentations"/>, a capability,
/// not a model type), one row per item and seed, from each seed's best checkpoint. Written by the train stage so that
/// the report (SemaCDR's Figure 3) and users read an artifact instead of rebuilding the model.
/// </summary>
public static class ItemRepresentationsExport
{
    public static List<ItemRepresentationRow> Read(FeatureTables tables, TrainingConfig config, string checkpoints)
    {
        var rows = new List<ItemRepresentationRow>();
        if (!ModelCatalog.IsTrainable(config.Model)) return rows;
        var source = tables.Manifest.TryGetProperty("source", out var s) ? s.GetString() ?? "source" : "source";
        var target = tables.Manifest.TryGetProperty("target", out var t) ? t.GetString() ?? "target" : "target";
        var isSource = new bool[tables.ItemCount + 1];
        foreach (var i in tables.SourceItems) isSource[i] = true;
        foreach (var seed in config.Seeds)
        {
            using var scope = NewDisposeScope();
            using var model = ModelCatalog.Create(config.Model, tables, config);
            if (model is not IItemRepresentations capable) return rows;
            Checkpoint.LoadWeights(Path.Combine(checkpoints, $"seed_{seed}", "best"), model);
            model.eval();
            var reps = capable.ItemRepresentations(CPU);
            int d = (int)reps.shape[1];
            var data = reps.contiguous().data<float>().ToArray();
            for (int i = 1; i <= tables.ItemCount; i++)
                rows.Add(new ItemRepresentationRow
                {
                    Seed = seed, ItemIdx = i, Role = isSource[i] ? "source" : "target", Domain = isSource[i] ? source : target,
                    Vector = data.AsSpan(i * d, d).ToArray(),
                });
        }
        return rows;
    }
}
