using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// Finds the JSON an LLM meant to send: inside code fences or not, after a reasoning block or a preamble, before
/// trailing chatter; trailing commas and comments tolerated. Returns an error text for the regeneration prompt.
/// </summary>
public static partial class AnswerParser
{
    private static readonly JsonReaderOptions Lenient = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 32 };
    private static readonly JsonDocumentOptions LenientDocument = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 32 };

    [GeneratedRegex(@"<think>.*?</think>", RegexOptions.Singleline)]
    private static partial Regex ThinkBlock();

    [GeneratedRegex(@"```(?:json|JSON)?\s*(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fence();

    /// <summary>
    /// Parses the JSON in an answer. The document is pooled memory: dispose it once done with <paramref name="root"/>.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // hot on cached reruns: skip tier-0
    public static bool TryParseObject(string text, out JsonDocument? document, out JsonElement root, out string error)
    {
        root = default;
        document = null;
        var body = text ?? "";
        if (body.Contains("<think>", StringComparison.Ordinal)) body = ThinkBlock().Replace(body, "");
        if (body.Contains("```", StringComparison.Ordinal) && Fence().Match(body) is { Success: true } fenced) body = fenced.Groups[1].Value;
        var start = body.IndexOfAny(['{', '[']);
        if (start < 0) { error = "the answer holds no JSON object"; return false; }
        var end = body.LastIndexOfAny(['}', ']']);
        try
        {
            // Fast path: the JSON runs to the last brace (no trailing chatter holding braces).
            if (end > start)
                try
                {
                    document = JsonDocument.Parse(body.AsMemory(start, end - start + 1), LenientDocument);
                    root = document.RootElement;
                    error = "";
                    return true;
                }
                catch (JsonException) { }
            var bytes = Encoding.UTF8.GetBytes(body[start..]);
            var reader = new Utf8JsonReader(bytes, Lenient);
            document = JsonDocument.ParseValue(ref reader); // reads one value; trailing text is ignored
            root = document.RootElement;
            error = "";
            return true;
        }
        catch (JsonException e)
        {
            error = $"the JSON is malformed ({e.Message.Split('.')[0]})";
            return false;
        }
    }

    /// <summary>The first property whose name matches one of <paramref name="names"/> ignoring case, '_' and spaces.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // hot on cached reruns: skip tier-0
    public static bool TryGetProperty(JsonElement obj, out JsonElement value, params string[] names)
    {
        value = default;
        if (obj.ValueKind != JsonValueKind.Object) return false;
        foreach (var name in names) // the spelling asked for, first: the common case costs one lookup
            if (obj.TryGetProperty(name, out value)) return true;
        foreach (var p in obj.EnumerateObject())
        {
            var n = Squash(p.Name);
            if (names.Any(x => Squash(x) == n)) { value = p.Value; return true; }
        }
        return false;
    }

    private static string Squash(string s) => s.Replace("_", "").Replace(" ", "").Replace("-", "").ToLowerInvariant();

    /// <summary>A string, or each string of an array (a lone string where a list was asked for is accepted).</summary>
    public static IEnumerable<string> Strings(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => [e.GetString()!],
        JsonValueKind.Array => e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!),
        _ => [],
    };

    public static bool TryNumber(JsonElement e, out double value)
    {
        value = 0;
        if (e.ValueKind == JsonValueKind.Number) return e.TryGetDouble(out value);
        return e.ValueKind == JsonValueKind.String && double.TryParse(e.GetString(), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out value);
    }
}
