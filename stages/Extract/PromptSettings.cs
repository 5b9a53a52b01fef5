using CrossDomain.Engine.Stages;
using YamlDotNet.RepresentationModel;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// A prompt file's own settings, from its YAML front-matter (Prompty-style): a block between two <c>---</c> lines
/// before the template, e.g. <c>temperature: 0.7</c> and <c>samples: 3</c>. The extract stage's params of the same
/// meaning override them when set (a sweep stays a param); unset ones come from here, then from the built-in
/// defaults. The front-matter is not part of the template's version: a changed value enters the call-cache keys
/// through the value itself (temperature, sample index), so answers that stay valid are reused.
/// </summary>
public sealed record PromptSettings(double? Temperature = null, int? Samples = null, int? Queries = null)
{
    public static readonly PromptSettings None = new();

    private static readonly string[] Keys = ["temperature", "samples", "queries"];

    /// <summary>Splits a prompt file's text into its settings and its template body (the text itself without front-matter).</summary>
    public static (PromptSettings Settings, string Body) Parse(string text, string path)
    {
        var normalised = text.Replace("\r\n", "\n");
        if (!normalised.StartsWith("---\n", StringComparison.Ordinal)) return (None, text);
        var end = normalised.IndexOf("\n---\n", 3, StringComparison.Ordinal);
        if (end < 0) throw new StageException($"prompt template {path}: front-matter opened with --- on line 1 is never closed by a --- line");
        var yaml = normalised[4..end];
        var body = normalised[(end + 5)..];
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlDotNet.Core.YamlException e) { throw new StageException($"prompt template {path}: front-matter line {e.Start.Line + 1}: {e.Message}"); }
        if (stream.Documents.Count == 0) return (None, body);
        if (stream.Documents[0].RootNode is not YamlMappingNode map)
            throw new StageException($"prompt template {path}: front-matter must be a mapping of settings ({string.Join(", ", Keys)})");
        double? temperature = null;
        int? samples = null, queries = null;
        foreach (var (k, v) in map.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? "";
            var value = (v as YamlScalarNode)?.Value ?? "";
            var line = k.Start.Line + 1; // the front-matter starts on the file's line 2
            string Where() => $"prompt template {path}: line {line}, '{key}'";
            switch (key)
            {
                case "temperature":
                    temperature = double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var t) && t is >= 0 and <= 2
                        ? t : throw new StageException($"{Where()}: '{value}' is not a temperature between 0 and 2");
                    break;
                case "samples":
                case "queries":
                    var n = int.TryParse(value, out var i) && i >= 1 ? i : throw new StageException($"{Where()}: '{value}' is not a whole number >= 1");
                    if (key == "samples") samples = n; else queries = n;
                    break;
                default:
                    throw new StageException($"{Where()}: unknown setting; known: {string.Join(", ", Keys)}");
            }
        }
        return (new PromptSettings(temperature, samples, queries), body);
    }
}
