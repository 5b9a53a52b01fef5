using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>SemaCDR's item semantics as a module other models opt into by configuration (SemaCDR's Table 2).</summary>
[Collection("torch")]
public sealed class SemanticViewsTests
{
    public static TheoryData<string, string> Hosts() => new() { { "tricdr", FeatureTables.TargetLoo }, { "tricdr", FeatureTables.MixedLoo }, { "c2dsr", FeatureTables.MixedLoo } };

    private static RecommenderModel Create(string model, FeatureTables tables, bool semantic)
    {
        TorchNativeLoader.EnsureLoaded();
        manual_seed(2);
        return ModelCatalog.Create(model, tables, new TrainingConfig
        {
            Model = model, Hidden = 8, Heads = 1, Blocks = 1, Dropout = 0, MaxLength = 5,
            ModelParams = new Dictionary<string, string> { ["semantic_views"] = semantic ? "true" : "false" },
        });
    }

    private static void Backward(RecommenderModel model, FeatureTables tables)
    {
        model.train();
        using var loss = model.Loss(TestBatches.Of(tables, seed: 3));
        loss.backward();
    }

    [Theory, MemberData(nameof(Hosts))]
    public void With_semantic_views_the_modules_parameters_train_inside_the_host(string model, string protocol)
    {
        var tables = ModelContractTests.Tables(protocol);
        using var enhanced = Create(model, tables, semantic: true);
        var semantic = enhanced.named_parameters().Where(p => p.name.Contains("_semantics.")).ToList();
        // The fusion W and the inner-domain and domain-agnostic views (the host's own ID table is the ID view).
        Assert.Contains(semantic, p => p.name.EndsWith("_fuse.weight"));
        Assert.Contains(semantic, p => p.name.Contains("_inner."));
        Assert.Contains(semantic, p => p.name.Contains("_subcategories."));
        Backward(enhanced, tables);
        Assert.All(semantic, p => Assert.True(p.parameter.grad is { } g && g.abs().sum().item<float>() > 0, $"{model}: {p.name} has no gradient"));

        using var plain = Create(model, tables, semantic: false);
        Assert.DoesNotContain(plain.named_parameters(), p => p.name.Contains("_semantics."));
    }

    [Fact]
    public void The_enhanced_models_are_named_for_it_in_tables()
    {
        TrainingConfig Config(string model, bool on) => new() { Model = model, ModelParams = new Dictionary<string, string> { ["semantic_views"] = on ? "true" : "false" } };
        Assert.Equal("Tri-CDR (semantic views)", ModelCatalog.DisplayName(Config("tricdr", true)));
        Assert.Equal("C2DSR (semantic views)", ModelCatalog.DisplayName(Config("c2dsr", true)));
        Assert.Equal("Tri-CDR", ModelCatalog.DisplayName(Config("tricdr", false)));
    }
}
