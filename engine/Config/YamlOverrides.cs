using YamlDotNet.RepresentationModel;

namespace CrossDomain.Engine.Config;

/// <summary>
/// Applies <c>--set path.to.key=value</c> overrides to a parsed YAML tree. The value is parsed as a YAML
/// flow value, so <c>--set a.b=[1,2]</c> and <c>--set a.b=true</c> keep their types.
/// </summary>
public static class YamlOverrides
{
    public static void Apply(YamlMappingNode root, IEnumerable<string> assignments)
    {
        foreach (var assignment in assignments)
        {
            var eq = assignment.IndexOf('=');
            if (eq <= 0)
                throw new ConfigException(new ConfigError($"--set {assignment}", 0, 0, assignment, "expected path.to.key=value"));
            var path = assignment[..eq].Trim();
            var valueText = assignment[(eq + 1)..];
            var keys = path.Split('.');
            if (keys.Any(string.IsNullOrWhiteSpace))
                throw new ConfigException(new ConfigError($"--set {assignment}", 0, 0, path, "empty segment in dotted path"));

            var origin = Location.OfOverride(assignment);
            YamlNode value = ParseValue(valueText);
            Location.Remember(value, origin);
            var node = root;
            for (int i = 0; i < keys.Length - 1; i++)
            {
                var key = new YamlScalarNode(keys[i]);
                if (node.Children.TryGetValue(key, out var child))
                {
                    if (child is not YamlMappingNode map)
                        throw new ConfigException(new ConfigError(origin.File, 0, 0, path,
                            $"'{string.Join('.', keys[..(i + 1)])}' is not a mapping, cannot set a key inside it"));
                    node = map;
                }
                else
                {
                    // A typo in a stage name would otherwise create a new, kind-less stage and report that instead.
                    if (i == 1 && keys[0] == "stages" && keys[2] != "uses")
                        throw new ConfigException(new ConfigError(origin.File, 0, 0, $"stages.{keys[1]}", NoSuchStage(keys[1], node)));
                    var map = new YamlMappingNode();
                    Location.Remember(key, origin);
                    Location.Remember(map, origin);
                    node.Children[key] = map;
                    node = map;
                }
            }
            var last = new YamlScalarNode(keys[^1]);
            Location.Remember(last, origin);
            node.Children[last] = value;
        }
    }

    private static string NoSuchStage(string name, YamlMappingNode stages)
    {
        var names = stages.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value!).ToList();
        // "stages.sequences..." most often means "the stages of kind sequences".
        var ofKind = stages.Children.Where(kv => kv.Value is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode("uses"), out var u)
            && (u as YamlScalarNode)?.Value == name).Select(kv => ((YamlScalarNode)kv.Key).Value!).ToList();
        if (ofKind.Count > 0)
            return $"no stage '{name}' in the pipeline; the stages of kind '{name}' are {NameList.Short(ofKind)} (--set stages.{ofKind[0]}...), or set it for all of them under defaults.{name}";
        var close = names.Where(n => n.Contains(name, StringComparison.OrdinalIgnoreCase) || name.Contains(n, StringComparison.OrdinalIgnoreCase)).Take(3).ToList();
        return $"no stage '{name}' in the pipeline" + (close.Count > 0 ? $" (did you mean {string.Join(" or ", close.Select(c => $"'{c}'"))}?)" : "")
            + $"; stages: {NameList.Short(names)}";
    }

    private static YamlNode ParseValue(string text)
    {
        if (string.IsNullOrEmpty(text)) return new YamlScalarNode("");
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader("v: " + text));
            var doc = (YamlMappingNode)stream.Documents[0].RootNode;
            var node = doc.Children[new YamlScalarNode("v")];
            // "--set k=#x" would parse as a YAML comment: a value the user typed is never silently empty.
            return node is YamlScalarNode { Value: null or "" } && text.Trim().Length > 0 ? new YamlScalarNode(text) : node;
        }
        catch (YamlDotNet.Core.YamlException)
        {
            // Not valid as a YAML flow value (e.g. contains ': '); keep the raw text as a string.
            return new YamlScalarNode(text);
        }
    }
}
