using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Extract;

namespace CrossDomain.Tests.Llm;

/// <summary>Each prompt file carries its own settings as YAML front-matter; the stage's params override them.</summary>
public sealed class PromptFrontMatterTests
{
    private static string TaskOf(CrossDomain.FakeServers.FakeChatRequest r) => r.Format?["json_schema"]?["name"]?.GetValue<string>() ?? "";

    /// <summary>Rewrites a copied prompt's front-matter line <paramref name="key"/> to <paramref name="value"/>.</summary>
    private static void Set(ExtractFixture f, string file, string key, string value)
    {
        var path = Path.Combine(f.Dir.Path, "prompts", file);
        var lines = File.ReadAllLines(path).ToList();
        var end = lines.IndexOf("---", 1);
        var at = lines.FindIndex(0, end, l => l.StartsWith(key + ":", StringComparison.Ordinal));
        if (at >= 0) lines[at] = $"{key}: {value}";
        else lines.Insert(end, $"{key}: {value}");
        File.WriteAllLines(path, lines);
    }

    private static ExtractParams FromPrompts(ExtractFixture f)
    {
        var p = f.Params("openai");
        (p.Samples, p.Temperature, p.SchemaQueries, p.TagQueries, p.DescriptionTemperature) = (null, null, null, null, null);
        return p;
    }

    [Fact]
    public async Task Unset_params_come_from_the_prompts_front_matter_and_set_ones_override_it()
    {
        using var f = new ExtractFixture(itemsPerDomain: 2);
        Set(f, "item_semantics.hbs", "samples", "2");
        Set(f, "item_semantics.hbs", "temperature", "0.4");
        Set(f, "schema_induction.hbs", "queries", "2");
        Set(f, "item_description.hbs", "temperature", "0.15");
        Set(f, "tag_vocabulary.hbs", "queries", "1");
        var (_, report) = await f.RunAsync(FromPrompts(f));
        var received = f.Server.Received.ToList();
        Assert.Equal(2 * f.ItemCount, received.Count(r => TaskOf(r) == "item_semantics"));
        Assert.All(received.Where(r => TaskOf(r) == "item_semantics"), r => Assert.Equal(0.4, r.Temperature!.Value, 5));
        Assert.All(received.Where(r => TaskOf(r) == "item_description"), r => Assert.Equal(0.15, r.Temperature!.Value, 5));
        Assert.All(received.Where(r => TaskOf(r) == "tag_vocabulary"), r => Assert.Equal(0, r.Temperature!.Value));
        Assert.Equal(2, received.Count(r => TaskOf(r) == "schema"));
        Assert.Equal(2, received.Count(r => TaskOf(r) == "tag_vocabulary")); // one query per domain
        Assert.Equal(0, report.FailedCalls);

        // A param set in the pipeline wins: one sample per item, at its temperature.
        using var g = new ExtractFixture(itemsPerDomain: 2);
        Set(g, "item_semantics.hbs", "samples", "2");
        var p = FromPrompts(g);
        (p.Samples, p.Temperature) = (1, 0.9);
        await g.RunAsync(p);
        var semantics = g.Server.Received.Where(r => TaskOf(r) == "item_semantics").ToList();
        Assert.Equal(g.ItemCount, semantics.Count);
        Assert.All(semantics, r => Assert.Equal(0.9, r.Temperature!.Value, 5));
    }

    [Fact]
    public async Task Editing_a_front_matter_value_re_asks_only_the_calls_it_changes()
    {
        using var f = new ExtractFixture(itemsPerDomain: 2);
        var p = FromPrompts(f);
        await f.RunAsync(p);
        var before = f.Server.ChatRequests;
        // One more sample: only the new sample index is asked; the template body, hence its version, is unchanged.
        Set(f, "item_semantics.hbs", "samples", "4");
        var (_, more) = await f.RunAsync(p, "out2");
        Assert.Equal(f.ItemCount, more.Calls);
        Assert.True(f.Server.Received.Skip(before).All(r => TaskOf(r) == "item_semantics"));
        // A new description temperature: exactly the description calls again.
        Set(f, "item_description.hbs", "temperature", "0.5");
        var (_, warmer) = await f.RunAsync(p, "out3");
        Assert.Equal(f.ItemCount, warmer.Calls);
    }

    [Fact]
    public void A_bad_front_matter_names_the_file_the_line_and_the_key()
    {
        var e = Assert.Throws<StageException>(() => PromptSettings.Parse("---\ntemperature: 0.2\ntemprature: 3\n---\nbody", "prompts/x.hbs"));
        Assert.Contains("prompts/x.hbs: line 3, 'temprature'", e.Message); // the file's line: --- is line 1
        Assert.Contains("known: temperature, samples, queries", e.Message);
        e = Assert.Throws<StageException>(() => PromptSettings.Parse("---\nsamples: 0\n---\nbody", "p.hbs"));
        Assert.Contains("'samples': '0' is not a whole number >= 1", e.Message);
        e = Assert.Throws<StageException>(() => PromptSettings.Parse("---\ntemperature: 1\nbody", "p.hbs"));
        Assert.Contains("never closed", e.Message);
        var (settings, body) = PromptSettings.Parse("no front-matter {{x}}", "p.hbs");
        Assert.Equal((PromptSettings.None, "no front-matter {{x}}"), (settings, body));
    }
}
