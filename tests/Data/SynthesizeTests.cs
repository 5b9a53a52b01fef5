using System.IO.Compression;
using System.Text.Json;
using CrossDomain.Stages.Ingest;
using CrossDomain.Stages.Synthesize;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Data;

public class SynthesizeTests
{
    private static SynthesizeParams Small(int seed = 7) => new() { Seed = seed, Users = 400, ItemsPerDomain = 200 };

    [Fact]
    public void Same_seed_gives_the_same_bytes_and_another_seed_does_not()
    {
        using var dir = new TempDir();
        new SyntheticAmazonGenerator(Small()).Write(Path.Combine(dir.Path, "a"));
        new SyntheticAmazonGenerator(Small()).Write(Path.Combine(dir.Path, "b"));
        new SyntheticAmazonGenerator(Small(8)).Write(Path.Combine(dir.Path, "c"));
        foreach (var f in Directory.GetFiles(Path.Combine(dir.Path, "a")).Select(Path.GetFileName))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Path, "a", f!)), File.ReadAllBytes(Path.Combine(dir.Path, "b", f!)));
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(dir.Path, "a", f!)), File.ReadAllBytes(Path.Combine(dir.Path, "c", f!)));
        }
    }

    [Fact]
    public void Files_are_in_the_2014_formats_with_the_planted_defects()
    {
        using var dir = new TempDir();
        var raw = Path.Combine(dir.Path, "raw");
        new SyntheticAmazonGenerator(Small()).Write(raw);
        Assert.Equal(RawFormat.Reviews2014, FormatDetector.Detect(Path.Combine(raw, SyntheticAmazonGenerator.ReviewsFile("Food"))));
        Assert.Equal(RawFormat.Meta2014, FormatDetector.Detect(Path.Combine(raw, SyntheticAmazonGenerator.MetaFile("Kitchen"))));
        var lines = ReadLines(Path.Combine(raw, SyntheticAmazonGenerator.ReviewsFile("Food")));
        Assert.Equal(2, lines.Count(l => !l.EndsWith('}'))); // malformed_lines_per_file
        var duplicates = lines.Count - lines.Distinct().Count();
        Assert.True(duplicates > 0, $"{duplicates} duplicate lines"); // planted exact duplicates (and any repeat of a user on one day)
        var days = lines.Where(l => l.EndsWith('}')).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("unixReviewTime").GetInt64()).ToList();
        Assert.All(days, t => Assert.Equal(0, t % 86400)); // day resolution
        Assert.True(days.Count - days.Distinct().Count() > 0); // ties
        Assert.Contains(ReadLines(Path.Combine(raw, SyntheticAmazonGenerator.MetaFile("Food"))), l => l.Contains("'title': \"Margie's"));
    }

    [Fact]
    public void Users_taste_carries_across_domains()
    {
        // The generator's latent themes are visible through the category paths; a user's theme histogram in Food
        // must resemble the same user's in Kitchen far more than a random other user's.
        using var dir = new TempDir();
        var raw = Path.Combine(dir.Path, "raw");
        var p = new SynthesizeParams { Seed = 3, Users = 600, ItemsPerDomain = 300 };
        new SyntheticAmazonGenerator(p).Write(raw);
        var hist = new Dictionary<string, double[]>[2];
        for (int d = 0; d < 2; d++)
        {
            var domain = SyntheticAmazonGenerator.DomainNames[d];
            var themeOf = ReadLines(Path.Combine(raw, SyntheticAmazonGenerator.MetaFile(domain))).Where(l => l.EndsWith('}'))
                .Select(l => (Dictionary<string, object?>)PythonLiteralParser.Parse(l)!)
                .DistinctBy(m => (string)m["asin"]!)
                .ToDictionary(m => (string)m["asin"]!, m => ThemeIndex((string)((List<object?>)((List<object?>)m["categories"]!)[0]!)[1]!, d));
            hist[d] = [];
            foreach (var l in ReadLines(Path.Combine(raw, SyntheticAmazonGenerator.ReviewsFile(domain))).Where(l => l.EndsWith('}')))
            {
                var r = JsonDocument.Parse(l).RootElement;
                var user = r.GetProperty("reviewerID").GetString()!;
                if (!hist[d].TryGetValue(user, out var h)) hist[d][user] = h = new double[p.Themes];
                h[themeOf[r.GetProperty("asin").GetString()!]]++;
            }
        }
        var users = hist[0].Keys.Where(hist[1].ContainsKey).Order(StringComparer.Ordinal).ToList();
        var same = users.Average(u => Cosine(hist[0][u], hist[1][u]));
        var shuffled = users.Select((u, i) => Cosine(hist[0][u], hist[1][users[(i + 1) % users.Count]])).Average();
        Assert.True(same > shuffled + 0.25, $"same-user similarity {same:F3} vs other-user {shuffled:F3}");
    }

    private static int ThemeIndex(string category, int domain) =>
        Array.FindIndex(Vocabulary.Themes, t => (domain == 0 ? t.FoodCategory : t.KitchenCategory) == category);

    private static double Cosine(double[] a, double[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }

    private static List<string> ReadLines(string gz)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gz), CompressionMode.Decompress));
        var lines = new List<string>();
        while (reader.ReadLine() is { } l) lines.Add(l);
        return lines;
    }
}
