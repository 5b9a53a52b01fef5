using CrossDomain.Engine.Config;
using CrossDomain.Engine.Stages;
using Microsoft.Extensions.FileSystemGlobbing;
using YamlDotNet.RepresentationModel;

namespace CrossDomain.Engine.Graph;

/// <summary>
/// Reads pipeline.yaml, applies <c>--set</c> overrides and <c>vars</c>, binds every stage's params and checks the
/// whole graph before anything runs. Every problem is reported with file, line and dotted key.
/// </summary>
public static class PipelineLoader
{
    public const string DefaultLockName = "pipeline.lock";

    private static readonly string[] TopLevelKeys = ["root", "artifacts", "vars", "defaults", "stages", "description"];
    private static readonly string[] StageKeys = ["uses", "params", "deps", "outs", "description", "matrix"];

    /// <param name="lockPath">The lock file to use instead of <c>&lt;artifacts&gt;/pipeline.lock</c> (the CLI's <c>--lock</c>).</param>
    public static PipelineDefinition Load(string configPath, StageRegistry registry, IEnumerable<string>? overrides = null, string? lockPath = null)
    {
        var file = Path.GetFullPath(configPath);
        var display = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
        if (!File.Exists(file))
            throw new ConfigException(new ConfigError(display, 0, 0, "--config", "pipeline file not found"));

        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file)) stream.Load(reader);
            root = stream.Documents.Count == 0 ? new YamlMappingNode() : stream.Documents[0].RootNode as YamlMappingNode
                ?? throw new ConfigException(new ConfigError(display, 1, 1, "(root)", "the pipeline file must be a mapping"));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigException(new ConfigError(display, (int)e.Start.Line, (int)e.Start.Column, "(yaml)", e.Message));
        }
        YamlOverrides.Apply(root, overrides ?? []);

        var errors = new ConfigErrorList();
        foreach (var (k, _) in root.Children)
        {
            var name = ((YamlScalarNode)k).Value!;
            if (!TopLevelKeys.Contains(name))
                errors.Add(Location.Of(display, k), name, $"unknown top-level key; known: {string.Join(", ", TopLevelKeys)}");
        }
        if (Child(root, "stages") is YamlMappingNode matrixStages) MatrixExpander.Expand(matrixStages, display, errors);
        var vars = Child(root, "vars") as YamlMappingNode;
        if (vars is not null) VarInterpolator.Interpolate(vars, vars, display, errors, "vars");
        foreach (var (k, v) in root.Children.ToList())
            if (((YamlScalarNode)k).Value != "vars")
                root.Children[k] = VarInterpolator.Interpolate(v, vars, display, errors, ((YamlScalarNode)k).Value!);

        var configDir = Path.GetDirectoryName(file)!;
        var projectRoot = Path.GetFullPath(Path.Combine(configDir, Scalar(root, "root") ?? "."));
        var artifactsRoot = Path.GetFullPath(Path.Combine(projectRoot, Scalar(root, "artifacts") ?? "artifacts"));
        var legacyLockPath = Path.Combine(configDir, Path.GetFileNameWithoutExtension(file) + ".lock");
        lockPath = lockPath is null ? Path.Combine(artifactsRoot, DefaultLockName) : Path.GetFullPath(lockPath);

        var defaults = Child(root, "defaults") as YamlMappingNode;
        var stagesNode = Child(root, "stages");
        if (stagesNode is not YamlMappingNode stagesMap)
        {
            errors.Add(Location.Of(display, stagesNode ?? root), "stages", "expected a mapping of stage name to stage");
            errors.ThrowIfAny();
            return null!;
        }

        // Pass 1: kinds, params and outputs of every stage. A stage that fails here is "broken": its dependants are
        // not checked against it (they would only repeat its error), and are named once at the end.
        var stages = new List<StageDefinition>();
        var broken = new HashSet<string>(StringComparer.Ordinal);
        var depNodes = new Dictionary<string, YamlNode?>();
        var paramNodes = new Dictionary<string, YamlNode?>();
        foreach (var (k, v) in stagesMap.Children)
        {
            var name = ((YamlScalarNode)k).Value!;
            var key = $"stages.{name}";
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z][A-Za-z0-9_-]*(@[A-Za-z0-9_-]+)?$"))
            { errors.Add(Location.Of(display, k), key, "stage names use letters, digits, '_' and '-', starting with a letter (matrix stages add @values)"); continue; }
            if (v is not YamlMappingNode stageMap) { errors.Add(Location.Of(display, v), key, "expected a mapping with uses/params/deps/outs"); broken.Add(name); continue; }
            foreach (var (sk, _) in stageMap.Children)
                if (!StageKeys.Contains(((YamlScalarNode)sk).Value))
                    errors.Add(Location.Of(display, sk), $"{key}.{((YamlScalarNode)sk).Value}", $"unknown stage key; known: {string.Join(", ", StageKeys)}");
            var usesNode = Child(stageMap, "uses");
            var uses = (usesNode as YamlScalarNode)?.Value;
            if (uses is null) { errors.Add(Location.Of(display, stageMap), $"{key}.uses", "missing 'uses:' (the stage kind)"); broken.Add(name); continue; }
            if (!registry.TryGet(uses, out var kind))
            {
                errors.Add(Location.Of(display, usesNode), $"{key}.uses", $"unknown stage kind '{uses}'; known: {string.Join(", ", registry.All.Select(x => x.Name))}");
                broken.Add(name);
                continue;
            }
            var paramsNode = Child(stageMap, "params");
            if (defaults is not null && Child(defaults, uses) is YamlMappingNode kindDefaults)
                paramsNode = Merge(kindDefaults, paramsNode as YamlMappingNode);
            if (paramsNode is null or YamlMappingNode && kind.ParamDefaults(paramsNode as YamlMappingNode ?? new YamlMappingNode()) is { } ownDefaults)
                paramsNode = Merge(ownDefaults, paramsNode as YamlMappingNode);
            var before = errors.Errors.Count;
            var parameters = ParamBinder.Bind(kind.ParamsType, paramsNode, display, $"{key}.params", errors);
            if (errors.Errors.Count > before) { broken.Add(name); continue; }

            var def = new StageDefinition
            {
                Name = name, Kind = kind, Params = parameters, ParamsJson = ParamBinder.CanonicalJson(parameters),
                At = Location.Of(display, k), Description = Scalar(stageMap, "description"),
            };
            var specs = kind.Outputs(parameters);
            var outsNode = Child(stageMap, "outs");
            var overridesByName = new Dictionary<string, (string Path, YamlNode Node)>();
            if (outsNode is YamlMappingNode outsMap)
                foreach (var (ok, ov) in outsMap.Children)
                    overridesByName[((YamlScalarNode)ok).Value!] = (((YamlScalarNode)ov).Value ?? "", ok);
            else if (outsNode is YamlSequenceNode outsSeq)
                foreach (var o in outsSeq.Children)
                    overridesByName[((YamlScalarNode)o).Value!] = ("", o);
            foreach (var (outName, (_, node)) in overridesByName)
                if (specs.All(s => s.Name != outName))
                    errors.Add(Location.Of(display, node), $"{key}.outs.{outName}", $"stage kind '{uses}' has no output '{outName}'; it writes: {string.Join(", ", specs.Select(s => s.Name))}");
            foreach (var spec in specs)
            {
                var path = overridesByName.TryGetValue(spec.Name, out var o) && o.Path.Length > 0
                    ? Path.GetFullPath(Path.Combine(projectRoot, o.Path))
                    : spec.DefaultPath is not null ? Path.GetFullPath(Path.Combine(projectRoot, spec.DefaultPath))
                    : Path.Combine(artifactsRoot, name, spec.FileName);
                def.Outputs[spec.Name] = new ResolvedOutput(name, spec, path);
            }
            stages.Add(def);
            depNodes[name] = Child(stageMap, "deps");
            paramNodes[name] = paramsNode;
        }

        // Two stages must never write the same path (or one inside the other).
        var allOutputs = stages.SelectMany(s => s.Outputs.Values).ToList();
        for (int i = 0; i < allOutputs.Count; i++)
            for (int j = 0; j < i; j++)
                if (Overlaps(allOutputs[i].Path, allOutputs[j].Path))
                {
                    var stage = stages.First(s => s.Name == allOutputs[i].Stage);
                    errors.Add(stage.At, $"stages.{stage.Name}.outs.{allOutputs[i].Spec.Name}",
                        $"output path {Path.GetRelativePath(projectRoot, allOutputs[i].Path)} is also written by {allOutputs[j].Id}");
                }

        // Pass 2: deps, param paths and required inputs.
        var notChecked = new List<string>();
        foreach (var stage in stages)
        {
            var key = $"stages.{stage.Name}";
            var depsNode = depNodes[stage.Name];
            var depItems = depsNode switch
            {
                null => [],
                YamlSequenceNode seq => seq.Children.ToList(),
                YamlScalarNode s when !string.IsNullOrEmpty(s.Value) => [s],
                YamlScalarNode => [],
                _ => null,
            };
            if (depItems is null) { errors.Add(Location.Of(display, depsNode), $"{key}.deps", "expected a list of stage names, stage.output references, files or globs"); continue; }
            var onBroken = depItems.Select(d => (d as YamlScalarNode)?.Value ?? "").Any(d => broken.Contains(d) || (d.IndexOf('.') is > 0 and var dot && broken.Contains(d[..dot])));
            if (onBroken) { notChecked.Add(stage.Name); continue; }
            for (int i = 0; i < depItems.Count; i++)
            {
                var at = Location.Of(display, depItems[i]);
                var dep = (depItems[i] as YamlScalarNode)?.Value ?? "";
                var depKey = $"{key}.deps[{i}]";
                var other = stages.FirstOrDefault(s => s.Name == dep);
                if (other is not null)
                {
                    if (other == stage) { errors.Add(at, depKey, "a stage cannot depend on itself"); continue; }
                    foreach (var o in other.Outputs.Values) AddUpstream(stage, o);
                    continue;
                }
                var dot = dep.IndexOf('.');
                if (dot > 0 && stages.FirstOrDefault(s => s.Name == dep[..dot]) is { } owner && !dep.Contains('/'))
                {
                    if (owner.Outputs.TryGetValue(dep[(dot + 1)..], out var o)) AddUpstream(stage, o);
                    else errors.Add(at, depKey, $"stage '{owner.Name}' has no output '{dep[(dot + 1)..]}'; it writes: {string.Join(", ", owner.Outputs.Keys)}");
                    continue;
                }
                if (dep.IndexOfAny(['*', '?', '[']) >= 0)
                {
                    var matcher = new Matcher(StringComparison.Ordinal);
                    matcher.AddInclude(dep);
                    var files = matcher.GetResultsInFullPath(projectRoot).Order(StringComparer.Ordinal).ToList();
                    if (files.Count == 0) errors.Add(at, depKey, $"glob '{dep}' matches no file under {projectRoot}");
                    foreach (var f in files) AddPath(stage, depKey, Path.GetFullPath(f), at, allOutputs, errors);
                    continue;
                }
                var full = Path.GetFullPath(Path.Combine(projectRoot, dep));
                if (!File.Exists(full) && !Directory.Exists(full) && OwnerOf(full, allOutputs) is null && !dep.Contains('/') && !dep.Contains('.'))
                { errors.Add(at, depKey, $"dep on unknown stage '{dep}'; stages: {NameList.Short(stages.Select(s => s.Name))}"); continue; }
                AddPath(stage, depKey, full, at, allOutputs, errors);
            }
            foreach (var (pkey, pathValue) in ParamBinder.FindPaths(stage.Params))
            {
                var raw = pathValue.ToString()!;
                if (raw.Length == 0) continue;
                var full = Path.GetFullPath(Path.Combine(projectRoot, raw));
                AddPath(stage, $"{key}.params.{pkey}", full, stage.At, allOutputs, errors);
            }
            foreach (var input in stage.Kind.RequiredInputs(stage.Params))
            {
                var candidates = stage.Upstream.Where(u => u.Spec.Name == input).ToList();
                if (candidates.Count == 1) stage.InputBindings[input] = candidates[0];
                else if (candidates.Count == 0)
                    errors.Add(Location.Of(display, depNodes[stage.Name] ?? null) is { Line: > 0 } l ? l : stage.At, $"{key}.deps",
                        $"stage kind '{stage.Kind.Name}' reads '{input}', but none of its deps provides it (add the stage that writes it to deps:)");
                else
                    errors.Add(stage.At, $"{key}.deps", $"'{input}' is provided by several deps ({string.Join(", ", candidates.Select(c => c.Id))}); name one as stage.{input}");
            }
        }
        if (notChecked.Count > 0 && errors.Any)
            errors.Add(new Location(display, 0, 0), "(dependants)", $"{notChecked.Count} stage(s) depend on the stages above and were not checked: {NameList.Short(notChecked)}");
        errors.ThrowIfAny();

        var ordered = TopologicalOrder(stages, display, errors);
        errors.ThrowIfAny();
        CheckUpstreamFacts(ordered, paramNodes, display, errors);
        errors.ThrowIfAny();
        return new PipelineDefinition { ConfigPath = file, Root = projectRoot, ArtifactsRoot = artifactsRoot, LockPath = lockPath,
            LegacyLockPath = legacyLockPath, Stages = ordered };
    }

    /// <summary>
    /// Each stage's params against the facts its upstream stages declare (transitively: a features stage sees what
    /// ingest two stages up declared), so that a sequences stage naming a domain ingest lacks fails here, not at run time.
    /// </summary>
    private static void CheckUpstreamFacts(List<StageDefinition> ordered, Dictionary<string, YamlNode?> paramNodes, string display, ConfigErrorList errors)
    {
        var known = new Dictionary<string, Dictionary<string, HashSet<string>>>(StringComparer.Ordinal);
        foreach (var stage in ordered)
        {
            var upstream = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var u in stage.UpstreamStages)
                foreach (var (fact, values) in known[u])
                    (upstream.TryGetValue(fact, out var set) ? set : upstream[fact] = new HashSet<string>(StringComparer.Ordinal)).UnionWith(values);
            var view = upstream.ToDictionary(kv => kv.Key, kv => (IReadOnlyCollection<string>)kv.Value, StringComparer.Ordinal);
            foreach (var (key, message) in stage.Kind.CheckUpstream(stage.Params, view))
            {
                var node = paramNodes.GetValueOrDefault(stage.Name) is YamlMappingNode map && Child(map, key.Split('.')[0]) is { } child ? child : null;
                errors.Add(node is null ? stage.At : Location.Of(display, node), $"stages.{stage.Name}.params.{key}", message);
            }
            var mine = upstream.ToDictionary(kv => kv.Key, kv => new HashSet<string>(kv.Value, StringComparer.Ordinal), StringComparer.Ordinal);
            foreach (var (fact, values) in stage.Kind.Facts(stage.Params))
                (mine.TryGetValue(fact, out var set) ? set : mine[fact] = new HashSet<string>(StringComparer.Ordinal)).UnionWith(values);
            known[stage.Name] = mine;
        }
    }

    private static void AddUpstream(StageDefinition stage, ResolvedOutput output)
    {
        if (!stage.Upstream.Contains(output)) stage.Upstream.Add(output);
    }

    private static void AddPath(StageDefinition stage, string key, string full, Location at, List<ResolvedOutput> outputs, ConfigErrorList errors)
    {
        var owner = OwnerOf(full, outputs);
        if (owner is not null)
        {
            if (owner.Stage == stage.Name) { errors.Add(at, key, $"stage reads its own output {owner.Id}"); return; }
            AddUpstream(stage, owner);
            return;
        }
        if (!File.Exists(full) && !Directory.Exists(full))
        {
            errors.Add(at, key, $"missing input file {full}");
            return;
        }
        if (stage.Inputs.All(i => i.Path != full)) stage.Inputs.Add(new ExternalInput(key, full));
    }

    private static ResolvedOutput? OwnerOf(string path, List<ResolvedOutput> outputs) =>
        outputs.FirstOrDefault(o => path == o.Path || (o.Spec.IsDirectory && path.StartsWith(o.Path + Path.DirectorySeparatorChar, StringComparison.Ordinal)));

    private static bool Overlaps(string a, string b) =>
        a == b || a.StartsWith(b + Path.DirectorySeparatorChar, StringComparison.Ordinal) || b.StartsWith(a + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static List<StageDefinition> TopologicalOrder(List<StageDefinition> stages, string display, ConfigErrorList errors)
    {
        var state = stages.ToDictionary(s => s.Name, _ => 0); // 0 new, 1 on stack, 2 done
        var order = new List<StageDefinition>();
        var byName = stages.ToDictionary(s => s.Name);
        var path = new List<string>();
        bool Visit(StageDefinition s)
        {
            if (state[s.Name] == 2) return true;
            if (state[s.Name] == 1)
            {
                var cycle = path.Skip(path.IndexOf(s.Name)).Append(s.Name);
                errors.Add(s.At, $"stages.{s.Name}.deps", $"dependency cycle: {string.Join(" -> ", cycle)}");
                return false;
            }
            state[s.Name] = 1;
            path.Add(s.Name);
            foreach (var u in s.UpstreamStages)
                if (!Visit(byName[u])) return false;
            path.RemoveAt(path.Count - 1);
            state[s.Name] = 2;
            order.Add(s);
            return true;
        }
        foreach (var s in stages)
            if (!Visit(s)) break;
        return order;
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static string? Scalar(YamlMappingNode map, string key) => (Child(map, key) as YamlScalarNode)?.Value;

    private static YamlMappingNode Merge(YamlMappingNode defaults, YamlMappingNode? specific)
    {
        var merged = new YamlMappingNode();
        foreach (var (k, v) in defaults.Children) merged.Children[k] = v;
        if (specific is not null)
            foreach (var (k, v) in specific.Children) merged.Children[k] = v;
        return merged;
    }
}
