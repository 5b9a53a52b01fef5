using CrossDomain.Engine.Stages;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Stages.Train;

/// <summary>
/// One config for every model (RecBole's discipline): the trainer's <see cref="TrainingConfig"/> itself, bound from
/// YAML by the engine, plus what only the pipeline needs (a label for tables, the negatives to expect). Defaults are
/// SemaCDR's shared setup.
/// </summary>
public sealed record TrainParams : TrainingConfig, IValidatableParams
{
    [Param("Name of this run in results tables (default: the model's name), e.g. \"SemaCDR w/o InnSem\".")]
    public string Label { get; init; } = "";

    [Param("Negatives per test case expected in the negatives stage's files (the papers' 100).", Min = 1)]
    public int Negatives { get; init; } = 100;

    IEnumerable<(string Key, string Message)> IValidatableParams.Validate()
    {
        if (!ModelCatalog.Names.Contains(Model)) yield return ("model", $"unknown model '{Model}'; known: {string.Join(", ", ModelCatalog.Names)}");
        if (Negatives < 1) yield return ("negatives", "must be >= 1");
        string? problem = null;
        try
        {
            Validate();
            // model_params against the model's options record, so that a bad switch fails when the pipeline loads.
            if (ModelCatalog.Names.Contains(Model)) ModelCatalog.Options(this);
            if (ModelCatalog.Names.Contains(Model) && ModelCatalog.IsTrainable(Model)) ModelCatalog.Loss(this);
        }
        catch (ArgumentException e) { problem = e.Message; }
        if (problem is not null)
        {
            var colon = problem.IndexOf(':');
            yield return colon > 0 ? (problem[..colon], problem[(colon + 1)..].Trim()) : ("", problem);
        }
    }
}
