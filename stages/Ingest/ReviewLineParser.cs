using System.Buffers.Text;
using System.Text.Json;

namespace CrossDomain.Stages.Ingest;

/// <summary>One interaction as read from a line: user and item as unescaped UTF-8, time in seconds.</summary>
public ref struct ParsedInteraction
{
    public ReadOnlySpan<byte> User;
    public ReadOnlySpan<byte> Item;
    public long Timestamp;
    /// <summary>NaN when the format or line has no rating.</summary>
    public float Rating;
}

/// <summary>
/// Reads the few fields an interaction needs from a review line without building a DOM: a forward-only
/// Utf8JsonReader pass for JSON formats, a split on commas for the ratings CSV.
/// </summary>
public sealed class ReviewLineParser
{
    private readonly byte[] _user = new byte[1024];
    private readonly byte[] _item = new byte[1024];

    /// <summary>Parses a line; returns an error message (and no interaction) when the line is malformed.</summary>
    public string? TryParse(ReadOnlySpan<byte> line, RawFormat format, out ParsedInteraction result)
    {
        result = default;
        result.Rating = float.NaN;
        return format == RawFormat.Ratings2014Csv ? ParseCsv(line, ref result) : ParseJson(line, format, ref result);
    }

    private string? ParseJson(ReadOnlySpan<byte> line, RawFormat format, ref ParsedInteraction r)
    {
        var is2023 = format == RawFormat.Reviews2023;
        int userLen = -1, itemLen = -1, assetItemLen = -1;
        long ts = long.MinValue;
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { AllowTrailingCommas = false });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return "not a JSON object";
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject) break;
                if (reader.TokenType != JsonTokenType.PropertyName) return "unexpected token";
                var field = Classify(ref reader, is2023);
                reader.Read();
                switch (field)
                {
                    case Field.User:
                        if (reader.TokenType != JsonTokenType.String) return "user id is not a string";
                        userLen = reader.CopyString(_user);
                        break;
                    case Field.Item:
                        if (reader.TokenType != JsonTokenType.String) return "item id is not a string";
                        itemLen = reader.CopyString(_item);
                        break;
                    case Field.Asset:
                        // 2023 items are keyed by parent_asin; asin is only a fallback when parent_asin is absent.
                        if (reader.TokenType == JsonTokenType.String && itemLen < 0) assetItemLen = reader.CopyString(_item);
                        break;
                    case Field.Time:
                        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out ts)) return "timestamp is not an integer";
                        if (is2023) ts = Math.DivRem(ts, 1000L).Quotient; // milliseconds in 2023
                        break;
                    case Field.Rating:
                        if (reader.TokenType == JsonTokenType.Number && reader.TryGetSingle(out var rating)) r.Rating = rating;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return "text after the JSON object";
        }
        catch (JsonException e) { return $"invalid JSON at byte {e.BytePositionInLine}: {e.Message.Split(" LineNumber:")[0]}"; }
        catch (InvalidOperationException e) { return "invalid JSON string: " + e.Message; }
        catch (ArgumentException) { return "id longer than 1024 bytes"; }
        if (itemLen < 0) itemLen = assetItemLen;
        if (userLen <= 0) return is2023 ? "missing user_id" : "missing reviewerID";
        if (itemLen <= 0) return is2023 ? "missing parent_asin" : "missing asin";
        if (ts == long.MinValue) return is2023 ? "missing timestamp" : "missing unixReviewTime";
        r.User = _user.AsSpan(0, userLen);
        r.Item = _item.AsSpan(0, itemLen);
        r.Timestamp = ts;
        return null;
    }

    private enum Field { Other, User, Item, Asset, Time, Rating }

    /// <summary>Which field a property name is: its length picks the one candidate, one comparison confirms it.</summary>
    private static Field Classify(ref Utf8JsonReader reader, bool is2023)
    {
        if (reader.ValueIsEscaped) // rare: let the reader unescape
        {
            if (is2023)
                return reader.ValueTextEquals("user_id"u8) ? Field.User : reader.ValueTextEquals("parent_asin"u8) ? Field.Item
                    : reader.ValueTextEquals("asin"u8) ? Field.Asset : reader.ValueTextEquals("timestamp"u8) ? Field.Time
                    : reader.ValueTextEquals("rating"u8) ? Field.Rating : Field.Other;
            return reader.ValueTextEquals("reviewerID"u8) ? Field.User : reader.ValueTextEquals("asin"u8) ? Field.Item
                : reader.ValueTextEquals("unixReviewTime"u8) ? Field.Time : reader.ValueTextEquals("overall"u8) ? Field.Rating : Field.Other;
        }
        var name = reader.ValueSpan;
        if (is2023)
            return name.Length switch
            {
                7 when name.SequenceEqual("user_id"u8) => Field.User,
                11 when name.SequenceEqual("parent_asin"u8) => Field.Item,
                4 when name.SequenceEqual("asin"u8) => Field.Asset,
                9 when name.SequenceEqual("timestamp"u8) => Field.Time,
                6 when name.SequenceEqual("rating"u8) => Field.Rating,
                _ => Field.Other,
            };
        return name.Length switch
        {
            10 when name.SequenceEqual("reviewerID"u8) => Field.User,
            4 when name.SequenceEqual("asin"u8) => Field.Item,
            14 when name.SequenceEqual("unixReviewTime"u8) => Field.Time,
            7 when name.SequenceEqual("overall"u8) => Field.Rating,
            _ => Field.Other,
        };
    }

    private static string? ParseCsv(ReadOnlySpan<byte> line, ref ParsedInteraction r)
    {
        Span<Range> parts = stackalloc Range[5];
        var n = 0;
        foreach (var part in line.Split((byte)','))
        {
            if (n == parts.Length) return "expected 4 comma-separated fields (user,item,rating,timestamp), got more";
            parts[n++] = part;
        }
        if (n != 4) return $"expected 4 comma-separated fields (user,item,rating,timestamp), got {n}";
        var user = line[parts[0]];
        var item = line[parts[1]];
        if (user.IsEmpty || item.IsEmpty) return "empty user or item";
        if (!Utf8Parser.TryParse(line[parts[2]], out float rating, out var used) || used != line[parts[2]].Length) return "rating is not a number";
        var tsText = line[parts[3]];
        if (!Utf8Parser.TryParse(tsText, out long ts, out used))
        {
            // Some dumps write the timestamp as a float ("1356998400.0").
            if (!Utf8Parser.TryParse(tsText, out double tsd, out used) || used != tsText.Length) return "timestamp is not a number";
            ts = (long)tsd;
        }
        else if (used != tsText.Length) return "timestamp is not a number";
        r.User = user;
        r.Item = item;
        r.Rating = rating;
        r.Timestamp = ts;
        return null;
    }
}
