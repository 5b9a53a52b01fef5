using System.Reflection;
using System.Text.RegularExpressions;
using CrossDomain.Engine.Config;
using CrossDomain.Engine.Graph;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Engine;

/// <summary>Params out of range, one report per root cause, and --set errors that name the argument.</summary>
public class ConfigErrorTests
{
    private static string RepoFile(string relative) => Path.Combine(Repo.Root, relative);

    /// <summary>The errors of a load that must fail, less the one line that names the stages depending on broken ones.</summary>
    private static List<ConfigError> LoadFails(string config, params string[] overrides) =>
        RootCauses(Assert.Throws<ConfigException>(() => PipelineLoader.Load(RepoFile(config), StageCatalog.CreateRegistry(), overrides)));

    private static List<ConfigError> RootCauses(ConfigException e)
    {
        Assert.True(e.Errors.Count(x => x.Key == "(dependants)") <= 1);
        return e.Errors.Where(x => x.Key != "(dependants)").ToList();
    }

    [Fact]
    public void Every_numeric_param_of_every_stage_kind_states_its_range()
    {
        var missing = new List<string>();
        void Visit(Type type, string prefix, HashSet<Type> seen)
        {
            if (!seen.Add(type)) return;
            foreach (var p in ParamBinder.SettableProperties(type))
            {
                var key = prefix + ParamBinder.KeyOf(p);
                if (ParamBinder.IsNumeric(p.PropertyType))
                {
                    if (ParamAttribute.Of(p) is not { HasRange: true }) missing.Add(key);
                }
                else if (p.PropertyType.IsClass && p.PropertyType != typeof(string) && p.PropertyType.Namespace?.StartsWith("CrossDomain") == true)
                    Visit(p.PropertyType, key + ".", seen);
            }
        }
        foreach (var kind in StageCatalog.CreateRegistry().All) Visit(kind.ParamsType, kind.Name + ".", []);
        Assert.True(missing.Count == 0, "numeric params without a range: " + string.Join(", ", missing));
    }

    [Fact]
    public void A_negative_length_is_refused_before_anything_runs_with_file_line_and_key()
    {
        using var dir = new TempDir();
        Repo.CopyPrompts(dir);
        var yaml = File.ReadAllText(RepoFile("pipeline.yaml")).Replace("      schema_file: prompts/food-kitchen-schema.yaml",
            "      schema_file: prompts/food-kitchen-schema.yaml\n      max_description_chars: -5");
        var h = new PipelineHarness(dir, yaml);
        var error = Assert.Single(RootCauses(Assert.Throws<ConfigException>(() => h.Load())));
        Assert.Equal("stages.extract.params.max_description_chars", error.Key);
        Assert.Equal("must be >= 0, got -5", error.Message);
        Assert.True(error.Line > 0);
        Assert.Equal(error.Line, yaml.Split('\n').ToList().FindIndex(l => l.Contains("max_description_chars")) + 1);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "artifacts")));

        var fraction = Assert.Single(LoadFails("pipeline.yaml", "stages.ingest.params.max_bad_line_fraction=1.5"));
        Assert.Equal("must be between 0 and 1, got 1.5", fraction.Message);
        var seed = Assert.Single(LoadFails("pipeline.yaml", "defaults.train.seeds=[1, -2]"));
        Assert.StartsWith("must be >= 0, got -2 (the same value reaches", seed.Message);
        Assert.EndsWith("seeds[1]", seed.Key);
    }

    [Fact]
    public void Errors_from_set_name_the_argument_not_line_1_of_the_file()
    {
        var error = Assert.Single(LoadFails("pipeline.yaml", "stages.food_to_kitchen.params.max_len=-5"));
        Assert.Equal("--set stages.food_to_kitchen.params.max_len=-5: stages.food_to_kitchen.params.max_len: must be >= 1, got -5", error.ToString());
        var unknown = Assert.Single(LoadFails("pipeline.yaml", "stages.food_to_kitchen.params.max_lenn=5"));
        Assert.StartsWith("--set stages.food_to_kitchen.params.max_lenn=5: ", unknown.ToString());
        Assert.Contains("did you mean 'max_len'", unknown.Message);
        // A stage that does not exist: the stages of the kind it names, not a kind-less stage of that name.
        var kind = Assert.Single(LoadFails("pipeline.yaml", "stages.sequences.params.max_len=50"));
        Assert.StartsWith("--set stages.sequences.params.max_len=50: ", kind.ToString());
        Assert.Contains("the stages of kind 'sequences' are food_to_kitchen, kitchen_to_food", kind.Message);
    }

    [Fact]
    public void The_train_stage_binds_the_trainers_own_config_and_checks_its_ranges_and_renamed_keys()
    {
        // TrainingConfig states its ranges with the BCL's [Range]; the loader checks them like any [Param].
        var dropout = Assert.Single(LoadFails("pipeline.yaml", "stages.train_sasrec_food_to_kitchen.params.dropout=0.99"));
        Assert.Equal("--set stages.train_sasrec_food_to_kitchen.params.dropout=0.99: stages.train_sasrec_food_to_kitchen.params.dropout: must be between 0 and 0.95, got 0.99", dropout.ToString());
        var seed = Assert.Single(LoadFails("pipeline.yaml", "stages.train_sasrec_food_to_kitchen.params.seeds=[1, -2]"));
        Assert.Contains("seeds[1]: must be >= 0, got -2", seed.ToString());
        // MaxLength is max_len in YAML (its [JsonPropertyName]), as it is in the fingerprint's params.
        var pipeline = PipelineLoader.Load(RepoFile("pipeline.yaml"), StageCatalog.CreateRegistry(), ["stages.train_sasrec_food_to_kitchen.params.max_len=7"]);
        var stage = pipeline.Find("train_sasrec_food_to_kitchen")!;
        // No copy: the stage's params are the trainer's config.
        var config = Assert.IsAssignableFrom<CrossDomain.Trainer.Training.TrainingConfig>(stage.Params);
        Assert.Equal(7, config.MaxLength);
        Assert.Contains("\"max_len\":7", stage.ParamsJson);
        Assert.DoesNotContain("max_length", stage.ParamsJson);
    }

    [RealDataFact] // loads pipelines whose inputs are the files in ../shared/data
    public void One_bad_default_over_a_matrix_of_stages_is_reported_once_with_its_dependants_in_one_line()
    {
        var e = Assert.Throws<ConfigException>(() => PipelineLoader.Load(RepoFile("pipelines/food-kitchen.yaml"), StageCatalog.CreateRegistry(), ["defaults.train.epochs=many"]));
        Assert.True(e.Errors.Count <= 2, string.Join("\n", e.Errors));
        var root = e.Errors[0];
        Assert.StartsWith("--set defaults.train.epochs=many: ", root.ToString());
        Assert.Contains("expected an integer, got 'many'", root.Message);
        Assert.Matches(@"the same value reaches \d{2,} keys", root.Message);
        Assert.True(root.ToString().Length < 600, root.ToString());
        if (e.Errors.Count == 2)
        {
            Assert.Equal("(dependants)", e.Errors[1].Key);
            Assert.True(e.Errors[1].ToString().Length < 600, e.Errors[1].ToString());
        }

        // A broken stage in the file: its error once, its dependants named once, not an "unknown stage" each.
        using var dir = new TempDir();
        dir.File("data/in.txt", "x");
        var h = new PipelineHarness(dir, """
            stages:
              a:
                uses: concat
                params: { inputs: [data/in.txt], repeat: lots }
              b: { uses: append, deps: [a] }
              c: { uses: append, deps: [b] }
              d: { uses: append, deps: [a.text] }
            """);
        var local = Assert.Throws<ConfigException>(() => h.Load());
        Assert.Equal(2, local.Errors.Count);
        Assert.Equal("stages.a.params.repeat", local.Errors[0].Key);
        Assert.EndsWith("pipeline.yaml: (dependants): 2 stage(s) depend on the stages above and were not checked: b, d", local.Errors[1].ToString());
    }

    [Fact]
    public void A_sequences_stage_naming_a_domain_that_ingest_lacks_fails_before_anything_runs()
    {
        var error = Assert.Single(LoadFails("pipeline.yaml", "stages.food_to_kitchen.params.source=beauty"));
        Assert.Equal("--set stages.food_to_kitchen.params.source=beauty: stages.food_to_kitchen.params.source: no domain 'beauty' in the data: ingest's domains are food, kitchen", error.ToString());

        using var dir = new TempDir();
        Repo.CopyPrompts(dir);
        var yaml = File.ReadAllText(RepoFile("pipeline.yaml")).Replace("      target: ${source}", "      target: groceries");
        var inFile = Assert.Single(RootCauses(Assert.Throws<ConfigException>(() => new PipelineHarness(dir, yaml).Load())));
        Assert.Equal("stages.kitchen_to_food.params.target", inFile.Key);
        Assert.Equal(yaml.Split('\n').ToList().FindIndex(l => l.Contains("target: groceries")) + 1, inFile.Line);
    }

    /// <summary>Every <c>--set</c> example in the shipped pipelines' comments and in the CLI's help loads as written.</summary>
    [RealDataFact] // loads pipelines whose inputs are the files in ../shared/data
    public void Every_set_example_in_help_and_pipeline_comments_works_as_written()
    {
        var examples = new List<(string Config, string[] Sets, string Where)>();
        var set = new Regex(@"--set\s+([^\s`'"",)]+)");
        foreach (var config in new[] { "pipeline.yaml" }.Concat(Directory.GetFiles(RepoFile("pipelines"), "*.yaml").Select(f => "pipelines/" + Path.GetFileName(f))))
        {
            if (config.Contains("amazon2014")) continue; // its inputs are downloaded first; its comments hold no --set
            var lines = File.ReadAllLines(RepoFile(config));
            for (int i = 0; i < lines.Length; i++)
                if (lines[i].TrimStart().StartsWith('#') && set.IsMatch(lines[i]))
                    examples.Add((config, set.Matches(lines[i]).Select(m => m.Groups[1].Value).ToArray(), $"{config}:{i + 1}"));
        }
        var help = typeof(CrossDomain.Pipeline.GlobalOptions).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(f => typeof(System.CommandLine.Option).IsAssignableFrom(f.FieldType))
            .Select(f => ((System.CommandLine.Option)f.GetValue(null)!).Description ?? "").ToList();
        foreach (var text in help)
            foreach (Match m in set.Matches(text))
                examples.Add(("pipeline.yaml", [m.Groups[1].Value.TrimEnd('.')], "--help"));
        Assert.True(examples.Count >= 3, $"found only {examples.Count} examples");
        foreach (var (config, sets, where) in examples)
        {
            try { PipelineLoader.Load(RepoFile(config), StageCatalog.CreateRegistry(), sets); }
            catch (ConfigException e) { Assert.Fail($"{where}: --set {string.Join(" --set ", sets)} fails on {config}: {e.Message}"); }
        }
    }
}
