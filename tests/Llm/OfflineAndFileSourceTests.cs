using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Extract;
using CrossDomain.Stages.Ingest;
using CrossDomain.Tests.Data;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Llm;

/// <summary>The two extractors that are not chat clients: the offline keyword tagger and imported answers.</summary>
public sealed class OfflineAndFileSourceTests
{
    private static readonly string SchemaFile = Path.Combine(Repo.Root, "prompts", "food-kitchen-schema.yaml");

    [RealDataFact]
    public async Task Offline_extractor_labels_real_items_from_their_titles_and_says_it_is_not_an_llm()
    {
        using var dir = new TempDir();
        var ingest = await DirectStage.RunAsync(new IngestStage(), new IngestParams
        {
            Domains = new()
            {
                ["food"] = new DomainFiles { Files = [Path.Combine(RealData.Dir, "meta_Grocery_and_Gourmet_Food.json.gz")] },
                ["kitchen"] = new DomainFiles { Files = [Path.Combine(RealData.Dir, "meta_Home_and_Kitchen.json.gz")] },
            },
        }, Path.Combine(dir.Path, "ingest"));
        var log = new CrossDomain.Engine.Progress.RecordingProgressSink();
        var p = new ExtractParams { SchemaFile = SchemaFile };
        var outputs = await DirectStage.RunAsync(new ExtractStage(), p, Path.Combine(dir.Path, "extract"),
            new Dictionary<string, string> { ["items"] = ingest["items"] }, log, "/", dir.Path);

        Assert.Contains(log.Lines, l => l.Contains("offline extractor") && l.Contains("not an LLM") && l.Contains("provider"));
        var meta = await ParquetArtifact.ReadMetadataAsync(outputs["item_labels"]);
        Assert.Equal("false", meta["crossdomain.is_llm"]);
        Assert.Contains("not an LLM", meta["crossdomain.extractor"]);

        var labels = (await ParquetArtifact.ReadAsync<ItemLabelRow>(outputs["item_labels"])).ToLookup(l => l.Item);
        string[] Of(string item, string category) => labels[item].Where(l => l.Category == category).Select(l => l.Label).ToArray();
        // "Presto 01341  4-Quart Stainless Steel Pressure Cooker"
        Assert.Equal(["Metal"], Of("B00002N602", "Core Material"));
        Assert.Equal(["Premium & Gourmet"], Of("B00002N602", "Quality Tier"));
        Assert.Equal(["General Cooking"], Of("B00002N602", "Culinary Activity")); // no cue: the declared default
        // "OXO Good Grips 3-1/2-Inch Paring Knife"
        Assert.Equal(["Food Preparation"], Of("B00004OCJ2", "Culinary Activity"));
        // "Melitta Cone Coffee Filters, Natural Brown, No. 1, 40-Count Filters (Pack of 12)"
        Assert.Equal(["Coffee & Tea"], Of("B00006IUTN", "Culinary Activity"));
        Assert.Equal(["Organic & Natural"], Of("B00006IUTN", "Health & Lifestyle"));
        Assert.Equal(["Multi-Pack & Bulk"], Of("B00006IUTN", "Pack Format"));
        Assert.Equal(["Coffee & Tea Leaves"], Of("B00006IUTN", "Core Material"));

        var semantics = await ParquetArtifact.ReadAsync<ItemSemanticsRow>(outputs["item_semantics"]);
        Assert.Equal(28_095, semantics.Count);
        Assert.All(semantics, s => Assert.Equal("ok", s.Status));
        // Every item has at least one label in each of the 8 categories unless outlier filtering emptied it.
        var report = System.Text.Json.JsonSerializer.Deserialize<ExtractReport>(File.ReadAllText(outputs["report"]), CrossDomain.Stages.ReportJson.Options)!;
        Assert.Equal(8 * 28_095 - report.CategoriesEmptiedByOutliers, labels.Sum(g => g.Select(l => l.CategoryIdx).Distinct().Count()));
        Assert.Equal(0, report.Calls);
        Assert.False(report.IsLlm);
        Assert.Contains("Presto 01341", semantics.Single(s => s.Item == "B00002N602").Description);
        var vocab = await ParquetArtifact.ReadAsync<TagRow>(outputs["tag_vocabulary"]);
        Assert.Contains(vocab, t => t.Tag == "coffee");
        var tags = (await ParquetArtifact.ReadAsync<ItemTagRow>(outputs["item_tags"])).Where(t => t.Item == "B00006IUTN").ToList();
        Assert.Contains(tags, t => t.Tag == "coffee");
        Assert.Equal(1.0, tags.Sum(t => t.Weight), 5);
    }

    [Fact]
    public async Task File_provider_imports_semacdr_shaped_answers_and_reports_the_items_it_lacks()
    {
        using var f = new ExtractFixture(itemsPerDomain: 2);
        var responses = f.Dir.File("responses.jsonl", string.Join('\n',
            """{"mapped_id": "f0", "features": {"Genre": ["Drama", "Historical"], "Target Audience": ["Young Adult"]}, "semantic_summary": "A serious story.", "description": "Rich text.", "tags": {"history": 90, "war": 40}}""",
            """{"item": "k0", "Features": {"Genre": ["Comedy"], "Target Audience": ["Adult"]}, "SemanticSummary": "A light one.", "tags": {"comedy": 80}}"""));
        var p = new ExtractParams { Llm = new LlmParams { Provider = "file", ResponsesFile = responses }, MaxInvalidFraction = 1 };
        var (outputs, report) = await f.RunAsync(p);
        Assert.Equal(2, report.ItemsOk);
        Assert.Equal(2, report.ItemsInvalid);
        Assert.Equal(0, report.Calls);
        var schema = await ParquetArtifact.ReadAsync<SchemaRow>(outputs["schema"]);
        Assert.Equal(["Drama", "Historical", "Comedy"], schema.Where(r => r.Category == "Genre").Select(r => r.Label));
        var labels = await ParquetArtifact.ReadAsync<ItemLabelRow>(outputs["item_labels"]);
        Assert.Equal(["Drama", "Historical", "Young Adult"], labels.Where(l => l.Item == "f0").Select(l => l.Label));
        var rows = await ParquetArtifact.ReadAsync<ItemSemanticsRow>(outputs["item_semantics"]);
        Assert.Equal("Rich text.", rows.Single(r => r.Item == "f0").Description);
        Assert.Equal("invalid", rows.Single(r => r.Item == "k0").DescriptionStatus);
        Assert.Contains("no answer for item f1", rows.Single(r => r.Item == "f1").Error);
        var tags = await ParquetArtifact.ReadAsync<ItemTagRow>(outputs["item_tags"]);
        Assert.Equal([("history", 90), ("war", 40)], tags.Where(t => t.Item == "f0").Select(t => (t.Tag, t.Score)));
    }

    [Theory]
    [InlineData("categories:\n  - name: Genre\n    default: Horror\n    labels: [Drama, Comedy]\n", ":2:", "categories[0].default", "'Horror' is not one of")]
    [InlineData("categories:\n  - name: Genre\n    labels: [Drama, drama]\n", ":3:", "categories[0].labels", "appears twice")]
    [InlineData("categories:\n  - name: Genre\n    lables: [Drama]\n", ":3:", "categories[0].lables", "unknown key")]
    [InlineData("categories: [\n", ":", "", "not valid YAML")]
    public void Schema_file_errors_name_the_file_line_and_key(string yaml, string line, string key, string message)
    {
        using var dir = new TempDir();
        var path = dir.File("schema.yaml", yaml);
        var e = Assert.Throws<StageException>(() => SemanticSchema.Load(path));
        Assert.Contains(path + line, e.Message);
        Assert.Contains(key, e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void The_shipped_schema_has_k_8_categories_each_with_a_default_and_cues()
    {
        var schema = SemanticSchema.Load(SchemaFile);
        Assert.Equal(8, schema.Categories.Count);
        Assert.All(schema.Categories, c =>
        {
            Assert.NotNull(c.DefaultLabel);
            Assert.True(c.Labels.Count >= 3);
            Assert.All(c.Labels, l => Assert.True(c.Cues!.ContainsKey(l)));
        });
    }
}
