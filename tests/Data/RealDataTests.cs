using System.IO.Compression;
using System.Text.Json;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Ingest;
using CrossDomain.Stages.Sequences;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Data;

/// <summary>
/// The real Amazon 2014 Food-Kitchen subset in ../shared/data. The expected numbers are computed inside the test
/// by a separate, deliberately naive implementation (JsonDocument per line, LINQ grouping, a filter loop over
/// sets) that shares no code with the stages; for monotone filters the fixed point is unique, so both must agree.
/// </summary>
public class RealDataTests
{
    private static string FileOf(string name)
    {
        var path = Path.Combine(RealData.Dir, name);
        Assert.True(File.Exists(path), $"real data not found at {path}: the tests expect ../shared/data beside the repository");
        return path;
    }

    [Fact]
    public void Without_the_folder_its_tests_are_skipped_with_the_path_unless_required()
    {
        using var dir = new TempDir();
        var absent = Path.Combine(dir.Path, "no-such-folder");
        Assert.Contains(absent, RealData.SkipReason(absent, require: null));
        Assert.Contains(RealData.RequireVariable, RealData.SkipReason(absent, require: ""));
        Assert.Null(RealData.SkipReason(absent, require: "1")); // CI: the test runs and fails naming the path
        Assert.Null(RealData.SkipReason(dir.Path, require: null));
    }

    [RealDataFact]
    public async Task Food_kitchen_statistics_match_an_independent_computation()
    {
        using var dir = new TempDir();
        var files = new Dictionary<string, string[]>
        {
            ["food"] = [FileOf("reviews_Grocery_and_Gourmet_Food.json.gz"), FileOf("meta_Grocery_and_Gourmet_Food.json.gz")],
            ["kitchen"] = [FileOf("reviews_Home_and_Kitchen.json.gz"), FileOf("meta_Home_and_Kitchen.json.gz")],
        };
        var ingestParams = new IngestParams { Domains = files.ToDictionary(d => d.Key, d => new DomainFiles { Files = d.Value.Select(f => new InputPath(f)).ToList() }) };
        var ingest = await DirectStage.RunAsync(new IngestStage(), ingestParams, Path.Combine(dir.Path, "ingest"));
        var report = JsonDocument.Parse(File.ReadAllText(ingest["report"])).RootElement;
        Assert.Equal(7144, report.GetProperty("overlapping_users").GetInt32()); // the data README's figure
        var expectedLines = new Dictionary<string, long> { ["food"] = 83663, ["kitchen"] = 89885 };
        foreach (var d in report.GetProperty("domains").EnumerateArray())
            Assert.Equal(expectedLines[d.GetProperty("domain").GetString()!], d.GetProperty("interactions").GetInt64() + d.GetProperty("duplicate_interactions").GetInt64());

        var raw = files.ToDictionary(d => d.Key, d => ReadNaively(d.Value[0]));
        foreach (var (source, target) in new[] { ("food", "kitchen"), ("kitchen", "food") })
        {
            var p = new SequencesParams { Source = source, Target = target }; // defaults: items >= 10, users >= 3, fixed point, keep first
            var outputs = await DirectStage.RunAsync(new SequencesStage(), p, Path.Combine(dir.Path, $"{source}-{target}"),
                new() { ["interactions"] = ingest["interactions"] });
            var stats = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(outputs["stats"]));
            var expected = NaiveFilter(raw[source], raw[target]);
            foreach (var (domain, role) in new[] { (source, 0), (target, 1) })
            {
                var got = stats.GetProperty("domains").EnumerateArray().Single(x => x.GetProperty("domain").GetString() == domain);
                Assert.Equal(expected.Users, got.GetProperty("overlapped_users").GetInt32());
                Assert.Equal(expected.Items[role], got.GetProperty("items").GetInt32());
                Assert.Equal(expected.Interactions[role], got.GetProperty("interactions").GetInt64());
            }
            // The data README says the paper's filter leaves "about 2,200 users" here.
            Assert.InRange(expected.Users, 2000, 2500);
        }
    }

    private static List<(string User, string Item, long Ts, int Line)> ReadNaively(string gz)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gz), CompressionMode.Decompress));
        var rows = new List<(string, string, long, int)>();
        string? line;
        var n = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            rows.Add((r.GetProperty("reviewerID").GetString()!, r.GetProperty("asin").GetString()!, r.GetProperty("unixReviewTime").GetInt64(), n++));
        }
        return rows;
    }

    private static (int Users, int[] Items, long[] Interactions) NaiveFilter(List<(string User, string Item, long Ts, int Line)> src, List<(string User, string Item, long Ts, int Line)> tgt)
    {
        // keep_first: the earliest (by time, then file order) interaction of each (user, item) pair per domain
        static List<(string User, string Item)> FirstOnly(List<(string User, string Item, long Ts, int Line)> rows) =>
            rows.OrderBy(r => r.Ts).ThenBy(r => r.Line).DistinctBy(r => (r.User, r.Item)).Select(r => (r.User, r.Item)).ToList();
        var domains = new[] { FirstOnly(src), FirstOnly(tgt) };
        while (true)
        {
            var before = domains.Sum(d => d.Count);
            for (int d = 0; d < 2; d++)
            {
                var popular = domains[d].GroupBy(r => r.Item).Where(g => g.Count() >= 10).Select(g => g.Key).ToHashSet();
                domains[d] = domains[d].Where(r => popular.Contains(r.Item)).ToList();
                var active = domains[d].GroupBy(r => r.User).Where(g => g.Count() >= 3).Select(g => g.Key).ToHashSet();
                domains[d] = domains[d].Where(r => active.Contains(r.User)).ToList();
            }
            var both = domains[0].Select(r => r.User).ToHashSet();
            both.IntersectWith(domains[1].Select(r => r.User));
            for (int d = 0; d < 2; d++) domains[d] = domains[d].Where(r => both.Contains(r.User)).ToList();
            if (domains.Sum(d => d.Count) == before)
                return (both.Count, domains.Select(d => d.Select(r => r.Item).Distinct().Count()).ToArray(), domains.Select(d => (long)d.Count).ToArray());
        }
    }
}
