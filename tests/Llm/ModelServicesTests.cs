using CrossDomain.Engine.Config;
using CrossDomain.Providers.Services;
using CrossDomain.Stages.Embed;
using CrossDomain.Stages.Extract;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Llm;

/// <summary>One registry of network model services, resolved by name by the extract and embed stages.</summary>
public class ModelServicesTests
{
    [Fact]
    public void Services_are_found_by_name_ignoring_case_and_dashes()
    {
        Assert.Equal(["ollama", "openai", "azure_openai"], ModelServices.Names);
        Assert.IsType<AzureOpenAIService>(ModelServices.Find("Azure-OpenAI"));
        Assert.Null(ModelServices.Find("offline"));
        Assert.Contains("known: ollama, openai, azure_openai", Assert.Throws<ArgumentException>(() => ModelServices.Get("bedrock")).Message);
        Assert.False(ModelServices.Get("ollama").RequiresKey);
        Assert.True(ModelServices.Get("openai").RequiresKey);
    }

    [Fact]
    public void An_unknown_provider_or_embedder_fails_when_the_pipeline_loads_naming_every_choice()
    {
        using var dir = new TempDir();
        var yaml = File.ReadAllText(Path.Combine(Repo.Root, "pipeline.yaml"));
        var harness = new PipelineHarness(dir, yaml);
        var extract = Assert.Throws<ConfigException>(() => harness.Load("stages.extract.params.llm.provider=bedrock"));
        Assert.Contains(extract.Errors, e => e.Key.EndsWith("llm.provider") && e.Message == "unknown provider 'bedrock'; one of offline, file, ollama, openai, azure_openai");
        var embed = Assert.Throws<ConfigException>(() => harness.Load("stages.embed.params.embedder.kind=word2vec"));
        Assert.Contains(embed.Errors, e => e.Key.EndsWith("embedder.kind") && e.Message.StartsWith("unknown embedder 'word2vec'; one of lsa, onnx, ollama"));
    }

    [Fact]
    public void Provider_names_enter_the_fingerprint_as_the_enums_they_replace_wrote_them()
    {
        // The params' canonical JSON (hence every fingerprint and lock entry) is what it was with the enums: snake_case names.
        var llm = new LlmParams { Provider = "Azure_OpenAI", Model = "gpt", Endpoint = "https://x.example" };
        Assert.Equal("azure_openai", llm.Provider);
        Assert.Contains("\"provider\":\"azure_openai\"", ParamBinder.CanonicalJson(llm));
        Assert.Contains("\"kind\":\"lsa\"", ParamBinder.CanonicalJson(new EmbedderParams()));
        Assert.Contains("\"provider\":\"offline\"", ParamBinder.CanonicalJson(new LlmParams()));
    }
}
