using CrossDomain.Engine.Config;
using CrossDomain.Tests.Support;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Models.SemaCdr;
using CrossDomain.Trainer.Models.Tema;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Tests.Trainer;

/// <summary>
/// model_params bound to each model's options record by its properties' names (no key list kept by hand), ablation
/// presets under single switches, errors that name the key, and every model in the one registry.
/// </summary>
public class ModelOptionsTests
{
    private static TrainingConfig Config(string model, params (string Key, string Value)[] values) =>
        new() { Model = model, ModelParams = values.ToDictionary(v => v.Key, v => v.Value) };

    [Fact]
    public void The_known_keys_are_the_options_properties_in_snake_case()
    {
        Assert.Equal(["norm", "pad_mask", "item_table"], ModelOptionsBinder.Keys(typeof(SasRecOptions)));
        Assert.Equal(["layout", "gru_layers", "hidden_dropout"], ModelOptionsBinder.Keys(typeof(Gru4RecOptions)));
        var semacdr = ModelOptionsBinder.Keys(typeof(SemaCdrOptions));
        Assert.Equal("ablation", semacdr[0]);
        Assert.Contains("item_graph_top_k", semacdr);
        Assert.Contains("agnostic_combine", semacdr);
        var error = Assert.Throws<ArgumentException>(() => ModelCatalog.Options(Config("sasrec", ("colour", "red"))));
        Assert.Equal("model_params.colour: unknown SASRec setting; known: norm, pad_mask, item_table", error.Message);
    }

    [Fact]
    public void Values_of_every_type_are_read_and_an_ablation_comes_first_with_single_switches_over_it()
    {
        var o = ModelCatalog.Options<SemaCdrOptions>(Config("semacdr", ("ablation", "w/o InnDomAgnSem"), ("inner_semantics", "true"),
            ("item_graph", "top-k"), ("item_graph_top_k", "5"), ("contrastive_weight", "0.2"), ("agnostic_combine", "MEAN")));
        Assert.False(o.AgnosticSemantics); // from the ablation
        Assert.True(o.InnerSemantics);     // the switch overrides it
        Assert.Equal((ItemGraph.TopK, 5, 0.2, AgnosticCombine.Mean), (o.ItemGraph, o.ItemGraphTopK, o.ContrastiveWeight, o.AgnosticCombine));
        Assert.Null(ModelCatalog.Options<TemaOptions>(Config("tema", ("image", "auto"))).Image);
        Assert.False(ModelCatalog.Options<TemaOptions>(Config("tema", ("image", "false"))).Image);
        Assert.Equal(new TemaOptions { Tags = false, MultiAttention = false }, ModelCatalog.Options<TemaOptions>(Config("tema", ("ablation", "original"))));
        Assert.Equal(new SemaCdrOptions(), ModelCatalog.Options<SemaCdrOptions>(Config("semacdr")));
    }

    [Theory]
    [InlineData("semacdr", "item_graph_top_k", "2.5", "model_params.item_graph_top_k: '2.5' is not an integer")]
    [InlineData("semacdr", "temperature", "0", "model_params.temperature: must be > 0")]
    [InlineData("semacdr", "ablation", "w/o Everything", "model_params.ablation: unknown 'w/o Everything'; one of full, w/o InnSem")]
    [InlineData("semacdr", "user_vector", "sideways", "model_params.user_vector: 'sideways' is not one of graph, causal, none")]
    [InlineData("tema", "image", "maybe", "model_params.image: 'maybe' is not auto, true or false")]
    [InlineData("tema", "id_weight", "0.9", "model_params: id_weight + image_weight + text_weight must be ≤ 1")]
    [InlineData("gru4rec", "gru_layers", "0", "model_params.gru_layers: must be >= 1, got 0")]
    [InlineData("popularity", "norm", "post", "model_params.norm: unknown Popularity setting; known: ")]
    public void A_bad_value_names_its_key(string model, string key, string value, string message) =>
        Assert.StartsWith(message, Assert.Throws<ArgumentException>(() => ModelCatalog.Options(Config(model, (key, value)))).Message);

    [Fact]
    public void Every_registered_model_has_a_display_name_an_options_record_and_one_factory()
    {
        foreach (var name in ModelCatalog.Names)
        {
            var entry = ModelCatalog.Find(name);
            Assert.NotEqual(name, entry.DisplayName);
            Assert.True(typeof(IModelOptions).IsAssignableFrom(entry.OptionsType), name);
            Assert.NotNull(Activator.CreateInstance(entry.OptionsType));
            Assert.True(entry.Create is not null ^ entry.CreateFixed is not null, name);
        }
        Assert.Equal(["abxi", "c2dsr", "cdsasrec", "cl4srec", "gru4rec", "mgcl", "pinet", "popularity", "random", "sasrec", "semacdr", "tema", "tjapl", "tricdr"], ModelCatalog.Names);
        Assert.Contains("unknown model 'bert4rec'", Assert.Throws<ArgumentException>(() => ModelCatalog.Find("bert4rec")).Message);
    }

    [Fact]
    public void A_bad_switch_fails_when_the_pipeline_loads_with_its_file_line_and_key()
    {
        using var dir = new TempDir();
        var yaml = """
            stages:
              train:
                uses: train
                deps: [ features, negatives ]
                params: { model: semacdr, model_params: { item_graph: ring } }
            """;
        var error = Assert.Throws<ConfigException>(() => new PipelineHarness(dir, yaml).Load());
        Assert.Contains(error.Errors, e => e.Key.EndsWith("model_params.item_graph") && e.Message.Contains("'ring' is not one of co_interaction, transition, top_k")
                                           && e.File.EndsWith("pipeline.yaml") && e.Line == 5);
    }
}

/// <summary>Each model's defaults file (RecBole's model YAML) sits beneath the pipeline's defaults.train and the stage's params.</summary>
public class ModelDefaultsFileTests
{
    // The shipped quick-start pipeline, whose TEMA-LLM and SASRec stages set neither dropout nor blocks.
    private static CrossDomain.Stages.Train.TrainParams Params(string stage, params string[] overrides) =>
        (CrossDomain.Stages.Train.TrainParams)CrossDomain.Engine.Graph.PipelineLoader.Load(Path.Combine(Repo.Root, "pipeline.yaml"),
            CrossDomain.Stages.StageCatalog.CreateRegistry(), overrides).Find(stage)!.Params;

    [Fact]
    public void A_models_defaults_file_sets_what_its_paper_sets_and_the_pipeline_and_the_stage_override_it_in_that_order()
    {
        const string tema = "train_tema_food_to_kitchen", sasrec = "train_sasrec_food_to_kitchen";
        Assert.Equal((0.3, 1), (Params(tema).Dropout, Params(tema).Blocks));
        Assert.Equal((0.5, 2), (Params(sasrec).Dropout, Params(sasrec).Blocks));
        var pipelineWide = Params(tema, "defaults.train.dropout=0.2");
        Assert.Equal((0.2, 1), (pipelineWide.Dropout, pipelineWide.Blocks));
        Assert.Equal(0.1, Params(tema, "defaults.train.dropout=0.2", $"stages.{tema}.params.dropout=0.1").Dropout);
        // Another model chosen in the stage brings its own defaults file.
        Assert.Equal(1, Params(sasrec, $"stages.{sasrec}.params.model=tema").Blocks);
    }

    [Fact]
    public void Every_trainable_models_defaults_file_exists_and_binds_as_train_params()
    {
        foreach (var model in ModelCatalog.Names.Where(ModelCatalog.IsTrainable))
        {
            Assert.NotNull(ModelCatalog.DefaultsYaml(model));
            Assert.Equal(model, Params("train_sasrec_food_to_kitchen", $"stages.train_sasrec_food_to_kitchen.params.model={model}").Model);
        }
        Assert.Null(ModelCatalog.DefaultsYaml("popularity"));
    }
}
