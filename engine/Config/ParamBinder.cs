using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrossDomain.Engine.Stages;
using YamlDotNet.RepresentationModel;

namespace CrossDomain.Engine.Config;

/// <summary>
/// Binds a YAML mapping to a stage's params record (snake_case keys to PascalCase properties), reporting unknown
/// keys, wrong types and missing required values with file, line and dotted key. Defaults are the property
/// initialisers of the record, so the effective params (and therefore the fingerprint) include them.
/// </summary>
public static class ParamBinder
{
    /// <summary>A property's YAML key: its <see cref="JsonPropertyNameAttribute"/> where it has one (as in the fingerprint's JSON), else its snake_case name.</summary>
    public static string KeyOf(PropertyInfo p) =>
        p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);

    public static object Bind(Type type, YamlNode? node, string file, string key, ConfigErrorList errors)
    {
        var result = BindValue(type, node ?? new YamlMappingNode(), file, key, errors) ?? Activator.CreateInstance(type)!;
        return result;
    }

    private static object? BindValue(Type type, YamlNode node, string file, string key, ConfigErrorList errors)
    {
        var at = Location.Of(file, node);
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            if (node is YamlScalarNode { Value: null or "" or "null" or "~" } s && s.Style == YamlDotNet.Core.ScalarStyle.Plain) return null;
            type = underlying;
        }

        if (type == typeof(string) || type == typeof(InputPath))
        {
            if (node is not YamlScalarNode scalar) { errors.Add(at, key, $"expected a string, got a {Describe(node)}"); return null; }
            var text = scalar.Value ?? "";
            return type == typeof(string) ? text : (object)new InputPath(text);
        }
        if (IsScalarType(type))
        {
            if (node is not YamlScalarNode scalar) { errors.Add(at, key, $"expected {TypeName(type)}, got a {Describe(node)}"); return null; }
            if (TryParseScalar(type, scalar.Value ?? "", out var value)) return value;
            errors.Add(at, key, $"expected {TypeName(type)}, got '{scalar.Value}'");
            return null;
        }
        if (type.IsEnum)
        {
            var names = Enum.GetNames(type).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)).ToArray();
            if (node is YamlScalarNode { Value: { } v })
            {
                var match = Enum.GetNames(type).FirstOrDefault(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n) == v || n.Equals(v, StringComparison.OrdinalIgnoreCase));
                if (match is not null) return Enum.Parse(type, match);
            }
            errors.Add(at, key, $"expected one of {string.Join(", ", names)}, got '{(node as YamlScalarNode)?.Value ?? Describe(node)}'");
            return null;
        }
        // Read-only collection properties (records shared with libraries that know nothing of this binder) bind as their mutable forms.
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
            type = typeof(Dictionary<,>).MakeGenericType(type.GetGenericArguments());
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            type = typeof(List<>).MakeGenericType(type.GetGenericArguments());
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            var valueType = type.GetGenericArguments()[1];
            if (type.GetGenericArguments()[0] != typeof(string)) throw new NotSupportedException("dictionary params need string keys");
            if (node is not YamlMappingNode map) { errors.Add(at, key, $"expected a mapping, got a {Describe(node)}"); return null; }
            var dict = (IDictionary)Activator.CreateInstance(type)!;
            foreach (var (k, v) in map.Children)
            {
                var name = ((YamlScalarNode)k).Value ?? "";
                dict[name] = BindValue(valueType, v, file, $"{key}.{name}", errors);
            }
            return dict;
        }
        if (type.IsArray || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>)))
        {
            var itemType = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[0];
            // A single scalar where a list of scalars is expected is read as a list of one (files: x.json.gz).
            var items = node switch
            {
                YamlSequenceNode seq => seq.Children.ToList(),
                YamlScalarNode when IsScalarType(itemType) || itemType == typeof(string) || itemType == typeof(InputPath) => [node],
                _ => null,
            };
            if (items is null) { errors.Add(at, key, $"expected a list, got a {Describe(node)}"); return null; }
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(itemType))!;
            for (int i = 0; i < items.Count; i++) list.Add(BindValue(itemType, items[i], file, $"{key}[{i}]", errors));
            if (!type.IsArray) return list;
            var array = Array.CreateInstance(itemType, list.Count);
            list.CopyTo(array, 0);
            return array;
        }
        if (type.IsClass)
            return BindObject(type, node, file, key, errors);
        throw new NotSupportedException($"param type {type} is not supported by the binder");
    }

    private static object? BindObject(Type type, YamlNode node, string file, string key, ConfigErrorList errors)
    {
        var at = Location.Of(file, node);
        if (node is YamlScalarNode { Value: null or "" } && ((YamlScalarNode)node).Style == YamlDotNet.Core.ScalarStyle.Plain)
            node = new YamlMappingNode();
        if (node is not YamlMappingNode map) { errors.Add(at, key, $"expected a mapping, got a {Describe(node)}"); return null; }
        var instance = Activator.CreateInstance(type)!;
        var props = SettableProperties(type).ToDictionary(KeyOf, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            var name = ((YamlScalarNode)k).Value ?? "";
            var childKey = key.Length == 0 ? name : $"{key}.{name}";
            if (!props.TryGetValue(name, out var prop))
            {
                var suggestion = Suggest(name, props.Keys);
                errors.Add(Location.Of(file, k), childKey,
                    $"unknown param '{name}'{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}; known: {string.Join(", ", props.Keys.Order(StringComparer.Ordinal))}");
                continue;
            }
            seen.Add(name);
            var value = BindValue(prop.PropertyType, v, file, childKey, errors);
            CheckRange(prop, value, v, file, childKey, errors);
            if (value is not null || Nullable.GetUnderlyingType(prop.PropertyType) is not null || !prop.PropertyType.IsValueType)
                prop.SetValue(instance, value);
        }
        foreach (var (name, prop) in props)
            if (!seen.Contains(name) && prop.GetCustomAttribute<RequiredMemberAttribute>() is not null)
                errors.Add(at, key.Length == 0 ? name : $"{key}.{name}", "required param is missing");
        if (instance is IValidatableParams validatable && !errors.Any)
            foreach (var (k, message) in validatable.Validate())
            {
                var childKey = key.Length == 0 ? k : $"{key}.{k}";
                var childNode = map.Children.TryGetValue(new YamlScalarNode(k.Split('.')[0]), out var cn) ? cn : node;
                errors.Add(Location.Of(file, childNode), childKey, message);
            }
        return instance;
    }

    /// <summary>A numeric param (or each number of a list) against the range its <see cref="ParamAttribute"/> states.</summary>
    private static void CheckRange(PropertyInfo prop, object? value, YamlNode node, string file, string key, ConfigErrorList errors)
    {
        if (value is null || ParamAttribute.Of(prop) is not { HasRange: true } param) return;
        if (value is IList list && value is not string)
        {
            for (int i = 0; i < list.Count; i++)
                if (list[i] is { } item && IsScalarType(item.GetType()) && item is not bool && param.Check(Convert.ToDouble(item, CultureInfo.InvariantCulture)) is { } problem)
                    errors.Add(Location.Of(file, node is YamlSequenceNode seq && i < seq.Children.Count ? seq.Children[i] : node), $"{key}[{i}]", problem);
            return;
        }
        if (IsScalarType(value.GetType()) && value is not bool && param.Check(Convert.ToDouble(value, CultureInfo.InvariantCulture)) is { } message)
            errors.Add(Location.Of(file, node), key, message);
    }

    /// <summary>Whether a property holds a number or a list of numbers (the params that must state a range).</summary>
    public static bool IsNumeric(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray) return IsNumeric(type.GetElementType()!);
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var g && (g == typeof(List<>) || g == typeof(IReadOnlyList<>)))
            return IsNumeric(type.GetGenericArguments()[0]);
        return IsScalarType(type) && type != typeof(bool);
    }

    public static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0);

    private static bool IsScalarType(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(float) || t == typeof(bool) || t == typeof(decimal);

    private static bool TryParseScalar(Type type, string text, out object? value)
    {
        var inv = CultureInfo.InvariantCulture;
        value = null;
        if (type == typeof(bool))
        {
            if (text is "true" or "True" or "TRUE" or "yes") { value = true; return true; }
            if (text is "false" or "False" or "FALSE" or "no") { value = false; return true; }
            return false;
        }
        var clean = text.Replace("_", "");
        if (type == typeof(int) && int.TryParse(clean, NumberStyles.Integer, inv, out var i)) { value = i; return true; }
        if (type == typeof(long) && long.TryParse(clean, NumberStyles.Integer, inv, out var l)) { value = l; return true; }
        if (type == typeof(double) && double.TryParse(clean, NumberStyles.Float, inv, out var d)) { value = d; return true; }
        if (type == typeof(float) && float.TryParse(clean, NumberStyles.Float, inv, out var f)) { value = f; return true; }
        if (type == typeof(decimal) && decimal.TryParse(clean, NumberStyles.Float, inv, out var m)) { value = m; return true; }
        return false;
    }

    private static string TypeName(Type t) => t == typeof(int) || t == typeof(long) ? "an integer"
        : t == typeof(bool) ? "true or false" : "a number";

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        YamlScalarNode s => $"scalar '{s.Value}'",
        _ => node.NodeType.ToString(),
    };

    private static string? Suggest(string name, IEnumerable<string> known) =>
        known.Select(k => (k, d: Levenshtein(name, k))).Where(x => x.d <= Math.Max(2, name.Length / 3)).OrderBy(x => x.d).Select(x => x.k).FirstOrDefault();

    private static int Levenshtein(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    /// <summary>Canonical JSON of effective params: the part of the fingerprint that says "which params".</summary>
    public static string CanonicalJson(object parameters) => JsonSerializer.Serialize(parameters, parameters.GetType(), CanonicalOptions);

    public static readonly JsonSerializerOptions CanonicalOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new PathJsonConverter<InputPath>(s => new(s)) },
    };

    private sealed class PathJsonConverter<T>(Func<string, T> make) : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => make(reader.GetString()!);
        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value!.ToString());
    }

    /// <summary>Every InputPath reachable from a params object, with its dotted key.</summary>
    public static IEnumerable<(string Key, object Path)> FindPaths(object? value, string key = "")
    {
        switch (value)
        {
            case null or string: yield break;
            case InputPath: yield return (key, value); yield break;
            case IDictionary dict:
                foreach (DictionaryEntry e in dict)
                    foreach (var x in FindPaths(e.Value, Join(key, e.Key.ToString()!))) yield return x;
                yield break;
            case IEnumerable list:
                int i = 0;
                foreach (var item in list)
                    foreach (var x in FindPaths(item, $"{key}[{i++}]")) yield return x;
                yield break;
        }
        var type = value.GetType();
        if (!type.IsClass) yield break;
        foreach (var p in SettableProperties(type))
            foreach (var x in FindPaths(p.GetValue(value), Join(key, KeyOf(p)))) yield return x;
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : $"{a}.{b}";
}
