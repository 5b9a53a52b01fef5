using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages;

/// <summary>Registration of every stage kind: a new kind is one folder plus one line here.</summary>
public static class StageCatalog
{
    public static StageRegistry CreateRegistry() => new StageRegistry()
        .Register(new Synthesize.SynthesizeStage())
        .Register(new Download.DownloadStage())
        .Register(new Ingest.IngestStage())
        .Register(new Sequences.SequencesStage())
        .Register(new Extract.ExtractStage())
        .Register(new Embed.EmbedStage())
        .Register(new Features.FeaturesStage())
        .Register(new Negatives.NegativesStage())
        .Register(new Export.ExportStage())
        .Register(new Train.TrainStage())
        .Register(new Evaluate.EvaluateStage())
        .Register(new Report.ReportStage());
}
