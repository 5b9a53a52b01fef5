using CrossDomain.Engine.Graph;
using CrossDomain.Stages;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Engine;

/// <summary>The pipeline files in the repository load, validate and wire their stages as documented.</summary>
public class ShippedPipelinesTests
{
    private static readonly string RepoRoot = CrossDomain.Tests.Support.Repo.Root;

    internal static PipelineDefinition Load(string relative) => PipelineLoader.Load(Path.Combine(RepoRoot, relative), StageCatalog.CreateRegistry());

    [Fact]
    public void Default_pipeline_synthesizes_ingests_builds_both_directions_and_extracts_offline()
    {
        var p = Load("pipeline.yaml");
        Assert.Equal(["synthesize", "ingest", "food_to_kitchen", "kitchen_to_food", "extract", "embed", "features_food_to_kitchen", "features_kitchen_to_food",
            "negatives_food_to_kitchen", "negatives_kitchen_to_food"], p.Stages.Select(s => s.Name).Take(10));
        Assert.Equal(["features_food_to_kitchen", "negatives_food_to_kitchen"], p.Find("train_sasrec_food_to_kitchen")!.Upstream.Select(u => u.Stage).Distinct());
        Assert.Equal(12, p.Find("evaluate")!.Upstream.Where(u => u.Spec.Name == "results").Count());
        Assert.Equal(["evaluate", "report"], p.Stages.TakeLast(2).Select(s => s.Name));
        // The report reads every train stage with a history (popularity has none), the evaluate table and the data stages.
        Assert.Equal(10, p.Find("report")!.Upstream.Count(u => u.Spec.Name == "history"));
        Assert.Contains(p.Find("report")!.Upstream, u => u.Stage == "evaluate" && u.Spec.Name == "table");
        Assert.Equal(["food_to_kitchen", "extract", "embed"], p.Find("features_food_to_kitchen")!.Upstream.Select(u => u.Stage).Distinct());
        Assert.Equal(["ingest.items", "extract.item_semantics"], p.Find("embed")!.Upstream.Select(u => u.Id));
        var extract = p.Find("extract")!;
        Assert.Equal(["ingest.items"], extract.Upstream.Select(u => u.Id));
        Assert.Equal("offline", ((CrossDomain.Stages.Extract.ExtractParams)extract.Params).Llm.Provider);
        // The schema file and the five templates are inputs: editing one makes the stage stale.
        Assert.Equal(6, extract.Inputs.Count(i => i.Path.Contains($"{Path.DirectorySeparatorChar}prompts{Path.DirectorySeparatorChar}")));
        Assert.Equal(["synthesize.raw"], p.Find("ingest")!.Upstream.Select(u => u.Id));
        Assert.Equal(["ingest.interactions"], p.Find("kitchen_to_food")!.Upstream.Select(u => u.Id));
        Assert.Equal(Path.Combine(RepoRoot, "artifacts", "pipeline.lock"), p.LockPath);
    }

    [Fact]
    public void The_full_size_synthetic_pipeline_has_the_default_pipelines_stages_at_full_size_and_semacdrs_check()
    {
        var quick = Load("pipeline.yaml");
        var full = Load("pipelines/synthetic.yaml");
        Assert.Equal(quick.Stages.Select(s => s.Name).Order(), full.Stages.Select(s => s.Name).Where(n => !n.StartsWith("semacdr_")).Order());
        // The check: SemaCDR's two cross-domain ablations per direction and seed, and their paired table.
        Assert.Equal(2 * 2 * 5, full.Stages.Count(s => s.Name.StartsWith("semacdr_ablation_")));
        Assert.Equal(6 + 20, full.Find("semacdr_check")!.Upstream.Select(u => u.Id.Split('.')[0]).Distinct().Count());
        Assert.Equal(Path.Combine(RepoRoot, "artifacts", "synthetic"), full.ArtifactsRoot);
        var q = (CrossDomain.Stages.Synthesize.SynthesizeParams)quick.Find("synthesize")!.Params;
        var f = (CrossDomain.Stages.Synthesize.SynthesizeParams)full.Find("synthesize")!.Params;
        Assert.Equal((600, 150, 1500, 500), (q.Users, q.ItemsPerDomain, f.Users, f.ItemsPerDomain));
        var qt = (CrossDomain.Stages.Train.TrainParams)quick.Find("train_semacdr_food_to_kitchen")!.Params;
        var ft = (CrossDomain.Stages.Train.TrainParams)full.Find("train_semacdr_food_to_kitchen")!.Params;
        Assert.Equal((2, 20, 0.005), (qt.Seeds.Count, qt.Epochs, qt.LearningRate));
        Assert.Equal((5, 200, 0.001), (ft.Seeds.Count, ft.Epochs, ft.LearningRate));
        // The raw files are read from the folder the synthesize stage writes.
        Assert.StartsWith(full.Find("synthesize")!.Outputs["raw"].Path, full.Find("ingest")!.Upstream.Single().Path);
    }

    [RealDataFact] // loads pipelines whose inputs are the files in ../shared/data
    public void Real_data_pipeline_reads_shared_data_relative_to_the_repo_root()
    {
        var p = Load("pipelines/food-kitchen.yaml");
        Assert.Equal(RepoRoot, p.Root);
        Assert.Equal(Path.Combine(RepoRoot, "artifacts", "food-kitchen"), p.ArtifactsRoot);
        Assert.Equal(4, p.Find("ingest")!.Inputs.Count);
        Assert.All(p.Find("ingest")!.Inputs, i => Assert.Contains("shared/data/amazon2014-food-kitchen", i.Path));
        // The ablation grids: the seven variants of Table 3 × five seeds per direction, each its own stage with its
        // one seed, collected with the full model of each direction (one stage of five seeds).
        Assert.Equal(7 * 5, p.Stages.Count(s => s.Name.StartsWith("ablation_kitchen_to_food@")));
        Assert.Equal(7 * 5, p.Stages.Count(s => s.Name.StartsWith("ablation_food_to_kitchen@")));
        Assert.Equal(2 * (1 + 7 * 5), p.Find("ablations")!.Upstream.Count(u => u.Spec.Name == "results"));
        Assert.Equal([3], ((CrossDomain.Stages.Train.TrainParams)p.Find("ablation_kitchen_to_food@AvgFusion-3")!.Params).Seeds);
        Assert.Equal((4 + 5 + 9) * 5, p.Find("sweeps")!.Upstream.Count(u => u.Spec.Name == "results"));
        // TEMA-LLM's grid: five model variants (Tables IV–V) and two extraction variants (Table VI), each tag
        // variant with its own extract, features and negatives, collected with the full model.
        // Food→Kitchen has the five model variants (the tag selections are extraction variants, Kitchen→Food only).
        Assert.Equal(1 + (5 + 2) * 5 + 1 + 5 * 5, p.Find("tema_ablations")!.Upstream.Count(u => u.Spec.Name == "results"));
        // Issue 25's one table: three baselines, SemaCDR and TEMA-LLM with their model ablations, both directions.
        Assert.Equal(2 * (3 + 1 + 7 * 5 + 1 + 5 * 5), p.Find("comparison")!.Upstream.Count(u => u.Spec.Name == "results"));
        Assert.Equal(["SemaCDR", "TEMA-LLM"], ((CrossDomain.Stages.Evaluate.EvaluateParams)p.Find("comparison")!.Params).PairedWith);
        Assert.Equal(["kitchen_to_food", "extract_tags@threshold", "embed"], p.Find("features_kitchen_to_food_tags@threshold")!.Upstream.Select(u => u.Stage).Distinct());
        Assert.Equal(["features_kitchen_to_food_tags@top_r", "negatives_kitchen_to_food_tags@top_r"], p.Find("tema_tags_kitchen_to_food@top_r-1")!.Upstream.Select(u => u.Stage).Distinct());
        // The report reads the main table, both ablation grids and the sweeps, and the w/o DomAgnSem run for the embedding figure.
        Assert.Equal(["evaluate", "ablations", "sweeps", "tema_ablations"], p.Find("report")!.Upstream.Where(u => u.Spec.Name == "table").Select(u => u.Stage));
        Assert.Contains(p.Find("report")!.Upstream, u => u.Stage == "ablation_kitchen_to_food@w_o_DomAgnSem-1" && u.Spec.Name == "checkpoints");
        // SASRec-CE beside SASRec (BCE) in the main table, both directions, under the shipped protocol.
        foreach (var direction in new[] { "food_to_kitchen", "kitchen_to_food" })
        {
            Assert.Equal("ce", ((CrossDomain.Stages.Train.TrainParams)p.Find($"train_sasrec_ce_{direction}")!.Params).Loss);
            Assert.Contains(p.Find("evaluate")!.Upstream, u => u.Stage == $"train_sasrec_ce_{direction}" && u.Spec.Name == "results");
        }
        var shipped = (CrossDomain.Stages.Train.TrainParams)p.Find("train_sasrec_food_to_kitchen")!.Params;
        Assert.Equal((300, 50, 100, "full"), (shipped.Epochs, shipped.Patience, shipped.MinEpochs, shipped.SelectProtocol));
    }

    [RealDataFact] // loads pipelines whose inputs are the files in ../shared/data
    public void Parity_pipelines_run_the_references_protocols_on_the_real_split()
    {
        var sasrec = Load("pipelines/parity-sasrec.yaml");
        var reference = (CrossDomain.Stages.Train.TrainParams)sasrec.Find("sasrec_reference_food_to_kitchen")!.Params;
        Assert.Equal((200, 0, 20, "sampled", 4), (reference.Epochs, reference.Patience, reference.EvalEvery, reference.SelectProtocol, reference.EvalMinTargetItems));
        var gru = Load("pipelines/parity-gru4rec.yaml");
        var official = (CrossDomain.Stages.Train.TrainParams)gru.Find("gru4rec_official_food_to_kitchen")!.Params;
        Assert.Equal(("ce", "official"), (official.Loss, official.ModelParams["layout"]));
        Assert.Equal(3, gru.Find("parity")!.Upstream.Count(u => u.Spec.Name == "results"));
        Assert.NotNull(gru.Find("export_food_to_kitchen"));
    }

    [Fact]
    public void Download_pipeline_makes_ingest_depend_on_the_downloaded_files()
    {
        var p = Load("pipelines/amazon2014.yaml");
        var ingest = p.Find("ingest")!;
        Assert.Empty(ingest.Inputs); // the files do not exist yet: they are the download stage's outputs
        Assert.Equal(4, ingest.Upstream.Count(u => u.Stage == "download"));
        Assert.All(p.Find("download")!.Outputs.Values, o => Assert.True(o.Spec.WrittenInPlace));
    }
}
