using System.Text.Encodings.Web;
using System.Text.Json;

namespace CrossDomain.Stages.Extract;

/// <summary>How lists are shown inside prompts: a JSON array, unescaped (&amp; stays &amp;), with ", " between items.</summary>
public static class PromptJson
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Array(IEnumerable<string> values) => JsonSerializer.Serialize(values, Options).Replace("\",\"", "\", \"");
}
