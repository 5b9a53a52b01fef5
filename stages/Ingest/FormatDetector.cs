using System.Text;
using System.Text.Json;

namespace CrossDomain.Stages.Ingest;

/// <summary>
/// Recognises a file's format from its content (the keys of its first records), not from its name, so a
/// renamed or recompressed file still reads correctly.
/// </summary>
public static class FormatDetector
{
    public const int SampleLines = 20;

    public static RawFormat Detect(string path)
    {
        using var reader = new RawLineReader(path);
        var votes = new Dictionary<RawFormat, int>();
        var sampled = 0;
        while (sampled < SampleLines && reader.TryReadLine(out var line))
        {
            if (line.Trim((byte)' ').IsEmpty) continue;
            sampled++;
            var f = Classify(line);
            if (f != RawFormat.Unknown) votes[f] = votes.GetValueOrDefault(f) + 1;
        }
        return votes.Count == 0 ? RawFormat.Unknown : votes.MaxBy(v => v.Value).Key;
    }

    public static RawFormat Classify(ReadOnlySpan<byte> line)
    {
        var trimmed = line.TrimStart((byte)' ');
        if (trimmed.IsEmpty) return RawFormat.Unknown;
        if (trimmed[0] != (byte)'{') return LooksLikeRatingsCsv(trimmed) ? RawFormat.Ratings2014Csv : RawFormat.Unknown;
        HashSet<string> keys;
        try
        {
            using var doc = JsonDocument.Parse(trimmed.ToArray());
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return RawFormat.Unknown;
            keys = doc.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();
        }
        catch (JsonException)
        {
            // Not JSON: the 2014 metadata is a Python literal.
            try
            {
                var value = PythonLiteralParser.Parse(Encoding.UTF8.GetString(trimmed));
                return value is Dictionary<string, object?> d && d.ContainsKey("asin") ? RawFormat.Meta2014 : RawFormat.Unknown;
            }
            catch (FormatException) { return RawFormat.Unknown; }
        }
        if (keys.Contains("user_id") && (keys.Contains("parent_asin") || keys.Contains("asin"))) return RawFormat.Reviews2023;
        if (keys.Contains("reviewerID") && keys.Contains("asin"))
            return keys.Contains("vote") || keys.Contains("verified") || keys.Contains("style") ? RawFormat.Reviews2018 : RawFormat.Reviews2014;
        if (keys.Contains("parent_asin")) return RawFormat.Meta2023;
        if (keys.Contains("asin"))
            return keys.Contains("category") || keys.Contains("also_buy") || keys.Contains("feature") || keys.Contains("rank") || keys.Contains("imageURLHighRes")
                ? RawFormat.Meta2018 : RawFormat.Meta2014;
        return RawFormat.Unknown;
    }

    private static bool LooksLikeRatingsCsv(ReadOnlySpan<byte> line)
    {
        var parser = new ReviewLineParser();
        return parser.TryParse(line, RawFormat.Ratings2014Csv, out _) is null;
    }
}
