using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Extract;

namespace CrossDomain.Tests.Llm;

/// <summary>The offline extractor on domains its shipped schema was not written for.</summary>
public class OfflineSchemaTests
{
    [Fact]
    public async Task Without_a_schema_file_the_offline_extractor_derives_one_from_the_category_trees()
    {
        using var f = new ExtractFixture(itemsPerDomain: 4); // paths "food root > shelf 0|1", "kitchen root > shelf 0|1"
        var p = f.Params("offline");
        var (outputs, report) = await f.RunAsync(p);
        Assert.Equal(CategoryTreeSchema.Origin, report.SchemaOrigin);
        var schema = await ParquetArtifact.ReadAsync<SchemaRow>(outputs["schema"]);
        Assert.Equal(["shelf 0", "shelf 1", "Other"], schema.Where(r => r.Category == "Category level 1").OrderBy(r => r.LabelIdx).Select(r => r.Label));
        var labels = await ParquetArtifact.ReadAsync<ItemLabelRow>(outputs["item_labels"]);
        Assert.Equal("shelf 1", labels.Single(l => l.Item == "k1").Label);
        Assert.Equal("shelf 0", labels.Single(l => l.Item == "f2").Label);
        Assert.Equal(0, report.ItemsWithOnlyDefaults);
        Assert.Contains(f.Log.Lines, l => l.StartsWith("warn: no schema_file: the offline extractor uses a schema derived"));
    }

    [Fact]
    public async Task Paths_with_only_the_root_give_a_clear_error_asking_for_a_schema()
    {
        using var f = new ExtractFixture(itemsPerDomain: 1); // one item per domain: no node is shared by two items
        var e = await Assert.ThrowsAsync<StageException>(() => f.RunAsync(f.Params("offline")));
        Assert.Contains("the offline extractor has no schema", e.Message);
        Assert.Contains("set schema_file", e.Message);
    }

    [Fact]
    public async Task A_schema_written_for_other_domains_is_reported_not_applied_silently()
    {
        using var f = new ExtractFixture(itemsPerDomain: 4);
        var p = f.Params("offline");
        p.SchemaFile = new("prompts/food-kitchen-schema.yaml");
        var (_, report) = await f.RunAsync(p);
        // "food item 0" on "shelf 1" matches a cue of one category at most ("shelf": Storage & Organization).
        Assert.True(report.DefaultLabelFraction >= 0.85, report.DefaultLabelFraction.ToString());
        Assert.Equal(8, report.DefaultLabelItems.Count);
        // The same counts per domain, and what metadata each domain's items had to match cues against.
        foreach (var (category, total) in report.DefaultLabelItems)
            Assert.Equal(total, report.DefaultLabelItemsByDomain[category].Values.Sum());
        Assert.Equal(["food", "kitchen"], report.DefaultLabelItemsByDomain.Values.First().Keys);
        Assert.Equal(new MetadataCoverage(4, 4, 4, 0, 0), report.Metadata["kitchen"]);
        Assert.Contains(f.Log.Lines, l => l.StartsWith("warn: the schema (") && l.Contains("fits these items poorly"));
    }

    [Fact]
    public async Task Items_with_titles_alone_are_reported_as_such()
    {
        using var f = new ExtractFixture(itemsPerDomain: 4, rootOnly: true);
        var p = f.Params("offline");
        p.SchemaFile = new("prompts/food-kitchen-schema.yaml");
        var (_, report) = await f.RunAsync(p);
        Assert.Equal(new MetadataCoverage(4, 4, 0, 0, 0), report.Metadata["food"]);
        Assert.Contains(f.Log.Lines, l => l.StartsWith("warn: domain food: no item has a category below the root") && l.Contains("titles alone (4 of 4 items"));
    }
}
