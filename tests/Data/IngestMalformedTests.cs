using System.Text;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Ingest;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Data;

public class IngestMalformedTests
{
    private static string ManyGoodLines(int n) =>
        string.Concat(Enumerable.Range(0, n).Select(i => $"{{\"reviewerID\": \"U{i % 7}\", \"asin\": \"I{i % 11}\", \"unixReviewTime\": {1356998400 + i}}}\n"));

    [Fact]
    public async Task Truncated_gzip_fails_naming_the_file()
    {
        using var dir = new TempDir();
        var path = IngestFormatTests.Gzip(dir, "reviews.json.gz", ManyGoodLines(5000));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var e = await Assert.ThrowsAsync<StageException>(() => IngestFormatTests.Ingest(dir, new() { ["food"] = [path] }));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public async Task Gzip_missing_only_its_trailer_is_also_caught()
    {
        using var dir = new TempDir();
        var path = IngestFormatTests.Gzip(dir, "reviews.json.gz", ManyGoodLines(100));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);
        var e = await Assert.ThrowsAsync<StageException>(() => IngestFormatTests.Ingest(dir, new() { ["food"] = [path] }));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public async Task Invalid_utf8_and_cut_lines_are_skipped_counted_and_located()
    {
        using var dir = new TempDir();
        var lines = ManyGoodLines(3000);
        var split = lines.IndexOf('\n', 500) + 1; // a line boundary
        var (head, tail) = (Encoding.UTF8.GetBytes(lines[..split]), Encoding.UTF8.GetBytes(lines[split..]));
        var badUtf8 = Encoding.ASCII.GetBytes("{\"reviewerID\": \"UX\", \"asin\": \"IZ\", \"unixReviewTime\": 1}\n");
        badUtf8[Encoding.ASCII.GetString(badUtf8).IndexOf("IZ", StringComparison.Ordinal) + 1] = 0xFF; // inside the asin string
        var cut = Encoding.UTF8.GetBytes("{\"reviewerID\": \"UY\", \"asin\": \"I1\", \"unixRev\n");
        var path = dir.File("reviews.json");
        File.WriteAllBytes(path, [.. head, .. badUtf8, .. cut, .. tail]);
        var (rows, _, report) = await IngestFormatTests.Ingest(dir, new() { ["food"] = [path] });
        Assert.Equal(3000, rows.Count);
        Assert.DoesNotContain(rows, r => r.User is "UX" or "UY");
        Assert.Contains("\"bad_lines\": 2", report);
        Assert.Matches("\"line\": \\d+,\\s*\"error\": \"invalid", report);
    }

    [Fact]
    public async Task Too_many_bad_lines_fail_with_the_threshold_in_the_message()
    {
        using var dir = new TempDir();
        var path = dir.File("reviews.json", ManyGoodLines(100) + "{\"broken\n" + "not json at all\n");
        var e = await Assert.ThrowsAsync<StageException>(() => IngestFormatTests.Ingest(dir, new() { ["food"] = [path] }));
        Assert.Contains("max_bad_line_fraction", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("line 101", e.Message);
    }

    [Fact]
    public async Task Empty_unknown_and_missing_files_fail_naming_the_file()
    {
        using var dir = new TempDir();
        var empty = dir.File("empty.json", "");
        var e1 = await Assert.ThrowsAsync<StageException>(() => IngestFormatTests.Ingest(dir, new() { ["food"] = [empty] }));
        Assert.Contains($"{empty}: file is empty", e1.Message);
        var html = dir.File("page.html", "<html>\n<body>not data</body>\n</html>\n");
        var e2 = await Assert.ThrowsAsync<StageException>(() => IngestFormatTests.Ingest(dir, new() { ["food"] = [html] }));
        Assert.Contains($"{html}: unknown format", e2.Message);
        var missing = Path.Combine(dir.Path, "nope.json");
        var e3 = await Assert.ThrowsAsync<StageException>(() => IngestFormatTests.Ingest(dir, new() { ["food"] = [missing] }));
        Assert.Contains(missing, e3.Message);
    }

    [Fact]
    public void Python_literals_with_nested_quotes_and_escapes_parse_like_python()
    {
        var value = (Dictionary<string, object?>)PythonLiteralParser.Parse(
            """{'a': 'it\'s "quoted"', "b": "Margie's", 'c': [1, -2.5e1, True, False, None], 'd': {'x': ('t', 'u')}, 'e': 'tab\there\\ \x41\u00e9', 'f': u'unicode'}""")!;
        Assert.Equal("it's \"quoted\"", value["a"]);
        Assert.Equal("Margie's", value["b"]);
        Assert.Equal(new List<object?> { 1L, -25.0, true, false, null }, value["c"]);
        Assert.Equal(new List<object?> { "t", "u" }, ((Dictionary<string, object?>)value["d"]!)["x"]);
        Assert.Equal("tab\there\\ Aé", value["e"]);
        Assert.Equal("unicode", value["f"]);
        Assert.Throws<FormatException>(() => PythonLiteralParser.Parse("{'a': 'unterminated}"));
        Assert.Throws<FormatException>(() => PythonLiteralParser.Parse("{'a': 1} trailing"));
    }
}
