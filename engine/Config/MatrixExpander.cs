using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace CrossDomain.Engine.Config;

/// <summary>
/// DVC-style <c>matrix:</c> stages. A stage with <c>matrix: { key: [v1, v2], other: [w1] }</c> becomes one stage per
/// combination, named <c>stage@v1-w1</c> (values reduced to letters, digits and '_'), with every <c>${item.key}</c>
/// in its params, deps and outs replaced by that combination's value. Each generated stage is cached and
/// fingerprinted on its own. A dep on the matrix's name (<c>stage</c> or <c>stage.output</c>) means every generated
/// stage. Runs before <c>vars</c> interpolation, so matrix values are literal lists.
/// </summary>
public static partial class MatrixExpander
{
    [GeneratedRegex(@"\$\{item\.([A-Za-z0-9_\-]+)\}")]
    private static partial Regex ItemReference();

    public static void Expand(YamlMappingNode stages, string file, ConfigErrorList errors)
    {
        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (k, v) in stages.Children.ToList())
        {
            if (v is not YamlMappingNode stage || !stage.Children.TryGetValue(new YamlScalarNode("matrix"), out var matrixNode)) continue;
            var name = ((YamlScalarNode)k).Value!;
            var key = $"stages.{name}.matrix";
            if (matrixNode is not YamlMappingNode matrix || matrix.Children.Count == 0)
            { errors.Add(Location.Of(file, matrixNode), key, "expected a mapping of name to a list of values"); continue; }
            var axes = new List<(string Name, List<string> Values)>();
            foreach (var (ak, av) in matrix.Children)
            {
                var axis = ((YamlScalarNode)ak).Value!;
                if (av is not YamlSequenceNode seq || seq.Children.Count == 0 || seq.Children.Any(c => c is not YamlScalarNode))
                { errors.Add(Location.Of(file, av), $"{key}.{axis}", "expected a non-empty list of scalar values"); continue; }
                axes.Add((axis, seq.Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToList()));
            }
            if (axes.Count != matrix.Children.Count) continue;

            var members = new List<(string Name, YamlMappingNode Node)>();
            foreach (var combination in Combinations(axes))
            {
                var memberName = $"{name}@{string.Join("-", combination.Select(c => Slug(c.Value)))}";
                var clone = new YamlMappingNode();
                foreach (var (sk, sv) in stage.Children)
                    if (((YamlScalarNode)sk).Value != "matrix")
                        clone.Children[new YamlScalarNode(((YamlScalarNode)sk).Value)] = Substitute(sv, combination, file, errors, $"stages.{memberName}.{((YamlScalarNode)sk).Value}");
                members.Add((memberName, clone));
            }
            if (members.Select(m => m.Name).Distinct().Count() != members.Count)
            { errors.Add(Location.Of(file, matrixNode), key, "two combinations give the same stage name; make the values distinct after reducing them to letters, digits and '_'"); continue; }
            // Replace the matrix stage by its members, in place (the order of stages is kept).
            var ordered = stages.Children.ToList();
            stages.Children.Clear();
            foreach (var (ok, ov) in ordered)
            {
                if (((YamlScalarNode)ok).Value != name) { stages.Children[ok] = ov; continue; }
                foreach (var (memberName, node) in members) stages.Children[new YamlScalarNode(memberName)] = node;
            }
            groups[name] = members.Select(m => m.Name).ToList();
        }
        if (groups.Count == 0) return;
        foreach (var (_, v) in stages.Children)
            if (v is YamlMappingNode stage && stage.Children.TryGetValue(new YamlScalarNode("deps"), out var deps) && deps is YamlSequenceNode list)
            {
                var expanded = new List<YamlNode>();
                foreach (var dep in list.Children)
                {
                    var text = (dep as YamlScalarNode)?.Value ?? "";
                    var dot = text.IndexOf('.');
                    var (group, output) = dot > 0 ? (text[..dot], text[dot..]) : (text, "");
                    if (groups.TryGetValue(group, out var names)) expanded.AddRange(names.Select(n => new YamlScalarNode(n + output)));
                    else expanded.Add(dep);
                }
                list.Children.Clear();
                foreach (var d in expanded) list.Children.Add(d);
            }
    }

    /// <summary>Every combination of the axes' values, the first axis varying slowest.</summary>
    private static IEnumerable<List<(string Axis, string Value)>> Combinations(List<(string Name, List<string> Values)> axes)
    {
        IEnumerable<List<(string, string)>> result = [[]];
        foreach (var (axis, values) in axes)
            result = result.SelectMany(prefix => values.Select(v => new List<(string, string)>(prefix) { (axis, v) })).ToList();
        return result;
    }

    private static string Slug(string value)
    {
        var sb = new StringBuilder();
        foreach (var c in value) sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return sb.Length == 0 ? "_" : sb.ToString();
    }

    private static YamlNode Substitute(YamlNode node, List<(string Axis, string Value)> combination, string file, ConfigErrorList errors, string key)
    {
        var copy = Copy(node, combination, file, errors, key);
        // A copy keeps the line of the matrix stage it came from, so its errors point into the file.
        if (!ReferenceEquals(copy, node)) Location.Remember(copy, Location.Of(file, node));
        return copy;
    }

    private static YamlNode Copy(YamlNode node, List<(string Axis, string Value)> combination, string file, ConfigErrorList errors, string key)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                var text = scalar.Value ?? "";
                if (!text.Contains("${item.")) return new YamlScalarNode(scalar.Value) { Style = scalar.Style, Tag = scalar.Tag };
                var replaced = ItemReference().Replace(text, m =>
                {
                    var hit = combination.FirstOrDefault(c => c.Axis == m.Groups[1].Value);
                    if (hit.Axis is not null) return hit.Value;
                    errors.Add(Location.Of(file, node), key, $"'{m.Value}' names no matrix axis; axes: {string.Join(", ", combination.Select(c => c.Axis))}");
                    return m.Value;
                });
                // A scalar that was only a reference takes the value's plain type (so numbers stay numbers).
                return new YamlScalarNode(replaced) { Style = ItemReference().IsMatch(text) && ItemReference().Match(text).Length == text.Length ? YamlDotNet.Core.ScalarStyle.Plain : scalar.Style };
            case YamlMappingNode map:
                var m2 = new YamlMappingNode();
                foreach (var (k, v) in map.Children)
                    m2.Children[new YamlScalarNode(((YamlScalarNode)k).Value)] = Substitute(v, combination, file, errors, $"{key}.{((YamlScalarNode)k).Value}");
                return m2;
            case YamlSequenceNode seq:
                var s2 = new YamlSequenceNode();
                for (int i = 0; i < seq.Children.Count; i++) s2.Children.Add(Substitute(seq.Children[i], combination, file, errors, $"{key}[{i}]"));
                return s2;
            default:
                return node;
        }
    }
}
