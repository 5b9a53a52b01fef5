using System.Text.Json;
using CrossDomain.Engine.Artifacts;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Cli;

/// <summary><c>inspect</c> with JSON types, filter operators, its help example, the narrow-terminal view; <c>list --kinds KIND</c>.</summary>
public class InspectTests
{
    [Theory]
    [InlineData("n=5", 5, true)]
    [InlineData("n=5", 6, false)]
    [InlineData("n!=5", 6, true)]
    [InlineData("n<10", 9, true)]
    [InlineData("n<10", 10, false)]
    [InlineData("n<=10", 10, true)]
    [InlineData("n>2", 10, true)] // numeric, not text ("10" < "2" as text)
    [InlineData("n>=10.5", 10, false)]
    [InlineData("n in 1,5,9", 5, true)]
    [InlineData("n in [1, 9]", 5, false)]
    public void Filters_compare_numbers_as_numbers(string text, int value, bool expected)
    {
        var f = RowFilter.Parse(text);
        Assert.Equal("n", f.Column);
        Assert.Equal(expected, f.Matches(value));
    }

    [Fact]
    public void Filters_on_text_and_lists_and_bad_filters()
    {
        Assert.True(RowFilter.Parse("domain!=food").Matches("kitchen"));
        Assert.True(RowFilter.Parse("domain in food,kitchen").Matches("kitchen"));
        Assert.True(RowFilter.Parse("items in 7").Matches(new List<object?> { 3, 7 }));
        Assert.False(RowFilter.Parse("items in 8").Matches(new List<object?> { 3, 7 }));
        Assert.True(RowFilter.Parse("title=null").Matches(null));
        Assert.False(RowFilter.Parse("n<3").Matches(null));
        Assert.Contains("--where expects", Assert.Throws<ArgumentException>(() => RowFilter.Parse("justacolumn")).Message);
    }

    [Fact]
    public void Inspect_json_has_typed_values_operators_work_the_help_example_works_and_list_shows_one_kind()
    {
        using var dir = new TempDir();
        dir.File("pipeline.yaml", CliEndToEndTests.Yaml);
        Assert.Equal(0, CliProcess.Run(dir.Path, "run", "all").Code);

        var json = CliProcess.Run(dir.Path, "inspect", "seq.sequences", "--json", "--limit", "3");
        Assert.True(json.Code == 0, json.Err);
        var row = JsonDocument.Parse(json.Out).RootElement.GetProperty("first_rows")[0];
        Assert.Equal(JsonValueKind.Number, row.GetProperty("user_idx").ValueKind);
        Assert.Equal(JsonValueKind.Array, row.GetProperty("target_items").ValueKind);
        Assert.Equal(JsonValueKind.Number, row.GetProperty("target_items")[0].ValueKind);

        var filtered = CliProcess.Run(dir.Path, "inspect", "seq.item_index", "--csv", "--columns", "item_idx", "--where", "item_idx>=3", "--where", "item_idx<6", "--limit", "100");
        Assert.True(filtered.Code == 0, filtered.Err);
        Assert.Equal(["item_idx", "3", "4", "5"], filtered.Out.Trim().Split('\n'));
        var inList = CliProcess.Run(dir.Path, "inspect", "seq.item_index", "--csv", "--columns", "item_idx", "--where", "item_idx in 2,9");
        Assert.Equal(["item_idx", "2", "9"], inList.Out.Trim().Split('\n'));

        // The argument's own help example names a stage.output; a kind name gets the stages of that kind.
        var help = CliProcess.Run(dir.Path, "inspect", "--help").Out;
        var example = System.Text.RegularExpressions.Regex.Match(help, @"e\.g\. (\w+)\.(\w+)");
        Assert.True(example.Success, help);
        var stage = example.Groups[1].Value;
        using (var def = new TempDir())
        {
            Repo.CopyPrompts(def);
            def.File("pipeline.yaml", File.ReadAllText(Path.Combine(Repo.Root, "pipeline.yaml")));
            Assert.Equal(0, CliProcess.Run(def.Path, "run", stage).Code);
            var shown = CliProcess.Run(def.Path, "inspect", example.Value[5..]);
            Assert.True(shown.Code == 0, shown.Err);
            Assert.Contains("users", shown.Out);
            var kind = CliProcess.Run(def.Path, "inspect", "sequences.stats_md");
            Assert.Equal(2, kind.Code);
            Assert.Contains("'sequences' is a stage kind, not a stage; its stages: food_to_kitchen, kitchen_to_food", kind.Err);
        }

        // On 80 columns a wide table becomes one block per row instead of columns squeezed mid-word.
        var narrow = CliProcess.StartInfo(dir.Path, "inspect", "seq.sequences", "--limit", "2");
        narrow.Environment["COLUMNS"] = "80";
        using (var p = System.Diagnostics.Process.Start(narrow)!)
        {
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.Contains("-[ row 1 ]", text);
            Assert.All(text.Split('\n'), l => Assert.True(l.Length <= 80 || l.Contains(" | "), l));
        }

        var one = CliProcess.Run(dir.Path, "list", "--kinds", "sequences");
        Assert.True(one.Code == 0, one.Err);
        Assert.Contains("min_item_interactions", one.Out);
        Assert.DoesNotContain("schema_file", one.Out);
        Assert.Equal(2, CliProcess.Run(dir.Path, "list", "--kinds", "nope").Code);
    }
}
