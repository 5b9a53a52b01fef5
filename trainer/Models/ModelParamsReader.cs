using System.Globalization;

namespace CrossDomain.Trainer.Models;

/// <summary>
/// Reads a model's <c>model_params</c> (strings from the pipeline) into typed switches, with errors that name the
/// key: unknown keys, and values that are not booleans, numbers or one of an enum's names.
/// </summary>
public sealed class ModelParamsReader
{
    private readonly IReadOnlyDictionary<string, string> _values;

    public ModelParamsReader(IReadOnlyDictionary<string, string> values, string model, IReadOnlyCollection<string> known)
    {
        _values = values;
        foreach (var key in values.Keys)
            if (!known.Contains(key)) throw new ArgumentException($"model_params.{key}: unknown {model} setting; known: {string.Join(", ", known)}");
    }

    public string? Raw(string key) => _values.TryGetValue(key, out var v) ? v : null;

    public bool Bool(string key, bool current) => Raw(key) is not { } v ? current
        : bool.TryParse(v, out var b) ? b : throw new ArgumentException($"model_params.{key}: '{v}' is not true or false");

    public double Number(string key, double current) => Raw(key) is not { } v ? current
        : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new ArgumentException($"model_params.{key}: '{v}' is not a number");

    /// <summary>An enum by name, ignoring case, '_' and '-' (multi_hot, multi-hot and MultiHot are one value).</summary>
    public T Enum<T>(string key, T current) where T : struct, System.Enum
    {
        if (Raw(key) is not { } v) return current;
        static string Plain(string s) => s.Replace("_", "").Replace("-", "").ToLowerInvariant();
        foreach (var name in System.Enum.GetNames<T>())
            if (Plain(name) == Plain(v)) return System.Enum.Parse<T>(name);
        throw new ArgumentException($"model_params.{key}: '{v}' is not one of {string.Join(", ", System.Enum.GetNames<T>().Select(SnakeCase))}");
    }

    private static string SnakeCase(string name) => string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
