using System.IO.Compression;
using System.Text;
using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Ingest;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Data;

public class IngestFormatTests
{
    // Hand-made lines in each release's real shape (see ../shared/data/README.md).
    public const string Reviews2014 = """
        {"reviewerID": "U1", "asin": "I1", "reviewerName": "A \"quoted\" name", "helpful": [1, 2], "reviewText": "ok", "overall": 5.0, "summary": "s", "unixReviewTime": 1356998400, "reviewTime": "01 1, 2013"}
        {"reviewerID": "U1", "asin": "I2", "overall": 4.0, "unixReviewTime": 1356998400, "reviewTime": "01 1, 2013"}
        {"reviewerID": "U1", "asin": "I1", "reviewerName": "A \"quoted\" name", "helpful": [1, 2], "reviewText": "ok", "overall": 5.0, "summary": "s", "unixReviewTime": 1356998400, "reviewTime": "01 1, 2013"}
        {"reviewerID": "U2", "asin": "I1", "unixReviewTime": 1357084800}
        """;

    public const string Meta2014 = """
        {'asin': 'I1', 'title': "Margie's Pasta", 'categories': [['Grocery & Gourmet Food', 'Pasta'], ['Italian']], 'price': 3.5, 'salesRank': {'Grocery': 12}, 'imUrl': 'http://x/1.jpg', 'brand': 'B', 'related': {'also_bought': ['I2']}}
        {'asin': 'I2', 'title': 'Margie\'s "Best" Caf\xe9 \u00e9', 'categories': [['Grocery & Gourmet Food']], 'description': 'Line\nbreak', 'isNew': True}
        {'asin': 'I1', 'title': 'seen twice: the first is kept'}
        """;

    public const string Ratings2014 = "U3,I9,5.0,1356998400\nU3,I8,3.0,1356998500\n";

    public const string Reviews2018 = """
        {"overall": 5.0, "verified": true, "reviewTime": "07 14, 2017", "reviewerID": "U1", "asin": "J1", "style": {"Size:": " 3 oz"}, "reviewerName": "x", "reviewText": "t", "summary": "s", "unixReviewTime": 1500000000, "vote": "1,234"}
        """;

    public const string Meta2018 = """
        {"category": ["Home & Kitchen", "Kitchen & Dining", "Pans"], "description": ["Line one", "Line two"], "title": "Pan", "brand": "Acme", "feature": ["f"], "rank": "1 in X", "also_buy": ["J2"], "price": "$12.99", "asin": "J1", "imageURLHighRes": ["http://img/hi.jpg"]}
        """;

    public const string Reviews2023 = """
        {"rating": 4.0, "title": "t", "text": "x", "images": [], "asin": "K1A", "parent_asin": "K1", "user_id": "U9", "timestamp": 1600000000123, "helpful_vote": 0, "verified_purchase": true}
        """;

    public const string Meta2023 = """
        {"main_category": "All Beauty", "title": "Thing", "average_rating": 4.5, "rating_number": 10, "features": ["soft"], "description": [], "price": null, "images": [{"thumb": "t.jpg", "large": "L.jpg", "variant": "MAIN", "hi_res": null}], "videos": [], "store": "StoreX", "categories": ["Beauty", "Skin"], "details": {"Brand": "X"}, "parent_asin": "K1", "bought_together": null}
        """;

    public static string Gzip(TempDir dir, string name, string text)
    {
        var path = dir.File(name);
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gz.Write(Encoding.UTF8.GetBytes(text));
        return path;
    }

    public static async Task<(List<(string User, string Item, string Domain, long Ts)> Rows, IList<ItemRow> Items, string Report)> Ingest(
        TempDir dir, Dictionary<string, string[]> domains, double maxBad = 0.001)
    {
        var p = new IngestParams
        {
            MaxBadLineFraction = maxBad,
            Domains = domains.ToDictionary(d => d.Key, d => new DomainFiles { Files = d.Value.Select(f => new InputPath(f)).ToList() }),
        };
        var outputs = await DirectStage.RunAsync(new IngestStage(), p, Path.Combine(dir.Path, "out"));
        var rows = new List<(string, string, string, long)>();
        await foreach (var c in InteractionsReader.ReadAsync(outputs["interactions"]))
            for (int k = 0; k < c.Count; k++) rows.Add((c.Users[k], c.Items[k], c.Domains[k], c.Timestamps[k]));
        var items = new List<ItemRow>();
        foreach (var part in ParquetInspector.Parts(outputs["items"])) items.AddRange(await ParquetArtifact.ReadAsync<ItemRow>(part));
        return (rows, items, File.ReadAllText(outputs["report"]));
    }

    [Fact]
    public async Task Every_release_format_is_detected_from_content_and_read()
    {
        using var dir = new TempDir();
        // Names deliberately say nothing about the format.
        var files = new[]
        {
            Gzip(dir, "a.bin", Reviews2014), dir.File("b.txt", Meta2014), dir.File("c.data", Ratings2014),
            Gzip(dir, "d.gz", Reviews2018), dir.File("e", Meta2018), dir.File("f.jsonl", Reviews2023), Gzip(dir, "g", Meta2023),
        };
        Assert.Equal(
            [RawFormat.Reviews2014, RawFormat.Meta2014, RawFormat.Ratings2014Csv, RawFormat.Reviews2018, RawFormat.Meta2018, RawFormat.Reviews2023, RawFormat.Meta2023],
            files.Select(FormatDetector.Detect));

        var (rows, items, report) = await Ingest(dir, new() { ["food"] = files[..3], ["kitchen"] = files[3..] });
        Assert.Equal(
            [
                ("U1", "I1", "food", 1356998400L), ("U1", "I2", "food", 1356998400L), ("U2", "I1", "food", 1357084800L),
                ("U3", "I9", "food", 1356998400L), ("U3", "I8", "food", 1356998500L),
                ("U1", "J1", "kitchen", 1500000000L), ("U9", "K1", "kitchen", 1600000000L), // 2023: parent_asin, ms -> s
            ],
            rows);
        Assert.Contains("\"duplicate_interactions\": 1", report);
        Assert.Contains("\"duplicate_metadata\": 1", report);

        var i1 = items.Single(i => i.Item == "I1");
        Assert.Equal("Margie's Pasta", i1.Title); // first record kept
        Assert.Equal(["Grocery & Gourmet Food > Pasta", "Italian"], i1.Categories);
        Assert.Equal(3.5, i1.Price);
        Assert.Equal("http://x/1.jpg", i1.ImageUrl);
        Assert.Contains("salesRank", i1.Extra);
        var i2 = items.Single(i => i.Item == "I2");
        Assert.Equal("Margie's \"Best\" Café é", i2.Title);
        Assert.Equal("Line\nbreak", i2.Description);
        Assert.Contains("\"isNew\":true", i2.Extra);
        var j1 = items.Single(i => i.Item == "J1");
        Assert.Equal((12.99, "Acme", "Line one\nLine two", "http://img/hi.jpg"), (j1.Price!.Value, j1.Brand, j1.Description, j1.ImageUrl));
        Assert.Equal(["Home & Kitchen > Kitchen & Dining > Pans"], j1.Categories);
        var k1 = items.Single(i => i.Item == "K1");
        Assert.Equal(("Thing", "StoreX", "All Beauty", "L.jpg", (double?)null), (k1.Title, k1.Brand, k1.MainCategory, k1.ImageUrl, k1.Price));
        Assert.Equal(["Beauty > Skin"], k1.Categories);
    }

    [Fact]
    public async Task Ratings_are_kept_and_missing_ratings_are_null()
    {
        using var dir = new TempDir();
        var (_, _, _) = await Ingest(dir, new() { ["food"] = [dir.File("r.json", Reviews2014)] });
        var summary = await ParquetInspector.ReadRowsAsync(Path.Combine(dir.Path, "out/interactions"), ["item", "rating"], [], 10);
        Assert.Equal(["5", "4", null], summary.Rows.Select(r => ParquetInspector.Show(r["rating"])));
    }
}
