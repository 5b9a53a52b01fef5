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
                throw new ConfigException(new ConfigError("--set", 0, 0, assignment, "expected path.to.key=value"));
            var path = assignment[..eq].Trim();
            var valueText = assignment[(eq + 1)..];
            var keys = path.Split('.');
            if (keys.Any(string.IsNullOrWhiteSpace))
                throw new ConfigException(new ConfigError("--set", 0, 0, path, "empty segment in dotted path"));

            YamlNode value = ParseValue(valueText);
            var node = root;
            for (int i = 0; i < keys.Length - 1; i++)
            {
                var key = new YamlScalarNode(keys[i]);
                if (node.Children.TryGetValue(key, out var child))
                {
                    if (child is not YamlMappingNode map)
                        throw new ConfigException(new ConfigError("--set", 0, 0, path,
                            $"'{string.Join('.', keys[..(i + 1)])}' is not a mapping, cannot set a key inside it"));
                    node = map;
                }
                else
                {
                    var map = new YamlMappingNode();
                    node.Children[key] = map;
                    node = map;
                }
            }
            node.Children[new YamlScalarNode(keys[^1])] = value;
        }
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
