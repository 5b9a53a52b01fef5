using System.Globalization;
using System.Text.Json;

namespace CrossDomain.Stages.Ingest;

/// <summary>Maps a parsed metadata record of any release to an <see cref="ItemRow"/>.</summary>
public static class MetadataMapper
{
    private static readonly HashSet<string> Mapped =
    [
        "asin", "parent_asin", "title", "categories", "category", "brand", "store", "description", "price",
        "imUrl", "imageURLHighRes", "imageURL", "images", "main_category",
    ];

    /// <summary>Returns null and an error when the record has no item id.</summary>
    public static ItemRow? Map(Dictionary<string, object?> record, RawFormat format, string domain, out string? error)
    {
        error = null;
        var id = format == RawFormat.Meta2023 ? Text(record, "parent_asin") ?? Text(record, "asin") : Text(record, "asin");
        if (string.IsNullOrEmpty(id)) { error = format == RawFormat.Meta2023 ? "missing parent_asin" : "missing asin"; return null; }
        var row = new ItemRow
        {
            Item = id,
            Domain = domain,
            Title = NonEmpty(Text(record, "title")),
            Brand = NonEmpty(Text(record, "brand") ?? Text(record, "store")),
            Description = NonEmpty(JoinText(record.GetValueOrDefault("description"))),
            Price = Price(record.GetValueOrDefault("price")),
            ImageUrl = FirstUrl(record.GetValueOrDefault("imUrl")) ?? FirstUrl(record.GetValueOrDefault("imageURLHighRes"))
                       ?? FirstUrl(record.GetValueOrDefault("imageURL")) ?? FirstImage(record.GetValueOrDefault("images")),
            MainCategory = NonEmpty(Text(record, "main_category")),
            SourceFormat = format.ToString(),
        };
        if (record.GetValueOrDefault("categories") is List<object?> cats)
        {
            if (cats.All(c => c is List<object?>)) // 2014: list of paths
                row.Categories.AddRange(cats.Cast<List<object?>>().Select(p => string.Join(" > ", p.Select(x => x?.ToString()))).Where(p => p.Length > 0));
            else if (cats.Count > 0) // 2023: one flat path
                row.Categories.Add(string.Join(" > ", cats.Select(x => x?.ToString())));
        }
        if (record.GetValueOrDefault("category") is List<object?> flat && flat.Count > 0) // 2018
            row.Categories.Add(string.Join(" > ", flat.Select(x => x?.ToString())));
        var extra = record.Where(kv => !Mapped.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        row.Extra = extra.Count == 0 ? null : ToJson(extra);
        return row;
    }

    /// <summary>JSON of a parsed literal tree (dicts, lists, strings, numbers, bools, null).</summary>
    public static string ToJson(object? value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(w, value);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case long l: w.WriteNumberValue(l); break;
            case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
            case double: w.WriteNullValue(); break; // NaN/inf have no JSON form
            case Dictionary<string, object?> dict:
                w.WriteStartObject();
                foreach (var (k, v) in dict) { w.WritePropertyName(k); Write(w, v); }
                w.WriteEndObject();
                break;
            case List<object?> list:
                w.WriteStartArray();
                foreach (var v in list) Write(w, v);
                w.WriteEndArray();
                break;
            default: w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    private static string? Text(Dictionary<string, object?> r, string key) => r.GetValueOrDefault(key) switch
    {
        string s => s,
        null => null,
        List<object?> => null,
        var v => Convert.ToString(v, CultureInfo.InvariantCulture),
    };

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string? JoinText(object? v) => v switch
    {
        string s => s,
        List<object?> list => string.Join("\n", list.OfType<string>().Where(s => !string.IsNullOrWhiteSpace(s))),
        _ => null,
    };

    /// <summary>2014 has a number, 2018 a string like "$12.99" or a range, 2023 a number or "None".</summary>
    private static double? Price(object? v) => v switch
    {
        long l => l,
        double d when !double.IsNaN(d) => d,
        string s when double.TryParse(s.Trim().TrimStart('$').Replace(",", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) => p,
        _ => null,
    };

    private static string? FirstUrl(object? v) => v switch
    {
        string s when s.Length > 0 => s,
        List<object?> l => l.OfType<string>().FirstOrDefault(),
        _ => null,
    };

    private static string? FirstImage(object? v) =>
        v is List<object?> l && l.FirstOrDefault() is Dictionary<string, object?> d
            ? (d.GetValueOrDefault("large") ?? d.GetValueOrDefault("hi_res") ?? d.GetValueOrDefault("thumb")) as string
            : null;
}
