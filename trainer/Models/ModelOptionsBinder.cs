using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace CrossDomain.Trainer.Models;

/// <summary>A model's options record: checked after binding; the messages name the key (<c>temperature</c>: must be &gt; 0).</summary>
public interface IModelOptions
{
    IEnumerable<(string Key, string Message)> Validate() => [];
}

/// <summary>Options whose <c>ablation</c> key names a row of the paper's ablation table, setting the switches it implies.</summary>
public interface IAblationPresets
{
    /// <summary>The names <c>ablation</c> accepts.</summary>
    IReadOnlyList<string> Ablations { get; }

    /// <summary>A copy of these options with the named ablation's switches set; null when the name is unknown.</summary>
    object? WithAblation(string name);
}

/// <summary>
/// Binds a model's <c>model_params</c> (strings, as the pipeline gives them) to its options record: each key is a
/// property's snake_case name (<c>ItemGraphTopK</c> is <c>item_graph_top_k</c>), so the known keys are the record's
/// properties and no list is kept by hand. <c>ablation</c> (for <see cref="IAblationPresets"/>) is applied first and
/// the other keys override it. Booleans, integers, numbers, enums (by name, ignoring case, '_' and '-') and
/// <c>bool?</c> (<c>auto</c> is null) are read; every error names <c>model_params.KEY</c>.
/// </summary>
public static class ModelOptionsBinder
{
    private const string AblationKey = "ablation";

    /// <summary>The keys a model's options accept, in declaration order.</summary>
    public static IReadOnlyList<string> Keys(Type optionsType) =>
        [.. (typeof(IAblationPresets).IsAssignableFrom(optionsType) ? [AblationKey] : Array.Empty<string>()), .. Properties(optionsType).Keys];

    public static T Bind<T>(IReadOnlyDictionary<string, string> values, string model) where T : class, IModelOptions, new() =>
        (T)Bind(typeof(T), values, model);

    public static IModelOptions Bind(Type optionsType, IReadOnlyDictionary<string, string> values, string model)
    {
        var properties = Properties(optionsType);
        foreach (var key in values.Keys)
            if (!properties.ContainsKey(key) && !(key == AblationKey && typeof(IAblationPresets).IsAssignableFrom(optionsType)))
                throw new ArgumentException($"model_params.{key}: unknown {model} setting; known: {string.Join(", ", Keys(optionsType))}");

        var options = Activator.CreateInstance(optionsType)!;
        if (values.TryGetValue(AblationKey, out var ablation) && options is IAblationPresets presets)
            options = presets.WithAblation(ablation)
                      ?? throw new ArgumentException($"model_params.ablation: unknown '{ablation}'; one of {string.Join(", ", presets.Ablations)}");
        foreach (var (key, text) in values)
            if (properties.TryGetValue(key, out var property))
                property.SetValue(options, Parse(property.PropertyType, key, text));
        var bound = (IModelOptions)options;
        foreach (var (key, message) in bound.Validate())
            throw new ArgumentException($"model_params{(key.Length > 0 ? "." + key : "")}: {message}");
        return bound;
    }

    private static Dictionary<string, PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0)
            .ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), StringComparer.Ordinal);

    private static object? Parse(Type type, string key, string text)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
            return text is "auto" or "null" ? null
                : inner == typeof(bool) && !bool.TryParse(text, out _) ? throw new ArgumentException($"model_params.{key}: '{text}' is not auto, true or false")
                : Parse(inner, key, text);
        if (type == typeof(bool))
            return bool.TryParse(text, out var b) ? b : throw new ArgumentException($"model_params.{key}: '{text}' is not true or false");
        if (type == typeof(double))
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
                : throw new ArgumentException($"model_params.{key}: '{text}' is not a number");
        if (type == typeof(int))
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n == Math.Floor(n) && Math.Abs(n) <= int.MaxValue ? (int)n
                : throw new ArgumentException($"model_params.{key}: '{text}' is not an integer");
        if (type == typeof(string)) return text;
        if (type.IsEnum)
        {
            static string Plain(string s) => s.Replace("_", "").Replace("-", "").ToLowerInvariant();
            foreach (var name in Enum.GetNames(type))
                if (Plain(name) == Plain(text)) return Enum.Parse(type, name);
            throw new ArgumentException($"model_params.{key}: '{text}' is not one of {string.Join(", ", Enum.GetNames(type).Select(JsonNamingPolicy.SnakeCaseLower.ConvertName))}");
        }
        throw new InvalidOperationException($"model_params.{key}: options of type {type.Name} cannot be read from text");
    }
}
