using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace CrossDomain.Engine.Config;

/// <summary>
/// Replaces <c>${name}</c> (or <c>${a.b}</c>) in scalar values with entries of the top-level <c>vars:</c> mapping.
/// A scalar that is exactly one reference takes the referenced node whole (so lists and numbers keep their type).
/// </summary>
public static partial class VarInterpolator
{
    [GeneratedRegex(@"\$\{([A-Za-z0-9_.\-]+)\}")]
    private static partial Regex Reference();

    public static YamlNode Interpolate(YamlNode node, YamlMappingNode? vars, string file, ConfigErrorList errors, string key)
    {
        switch (node)
        {
            case YamlScalarNode scalar when scalar.Value is { } text && text.Contains("${"):
                var whole = Reference().Match(text);
                if (whole.Success && whole.Index == 0 && whole.Length == text.Length)
                {
                    var target = Lookup(vars, whole.Groups[1].Value);
                    if (target is null)
                    {
                        errors.Add(Location.Of(file, node), key, $"unknown variable '${{{whole.Groups[1].Value}}}' (define it under vars:)");
                        return node;
                    }
                    return target;
                }
                var replaced = Reference().Replace(text, m =>
                {
                    var target = Lookup(vars, m.Groups[1].Value);
                    if (target is YamlScalarNode s) return s.Value ?? "";
                    errors.Add(Location.Of(file, node), key, $"unknown or non-scalar variable '${{{m.Groups[1].Value}}}' (define it under vars:)");
                    return m.Value;
                });
                scalar.Value = replaced; // keep the node so its line/column survive for error messages
                return scalar;
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children.ToList())
                    map.Children[k] = Interpolate(v, vars, file, errors, $"{key}.{((YamlScalarNode)k).Value}");
                return map;
            case YamlSequenceNode seq:
                for (int i = 0; i < seq.Children.Count; i++)
                    seq.Children[i] = Interpolate(seq.Children[i], vars, file, errors, $"{key}[{i}]");
                return seq;
            default:
                return node;
        }
    }

    private static YamlNode? Lookup(YamlMappingNode? vars, string dotted)
    {
        YamlNode? node = vars;
        foreach (var part in dotted.Split('.'))
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(part), out var next)) return null;
            node = next;
        }
        return node;
    }
}
