using System.CommandLine;
using CrossDomain.Engine.Config;
using CrossDomain.Engine.Graph;
using CrossDomain.Pipeline.Init;
using CrossDomain.Stages;

namespace CrossDomain.Pipeline.Commands;

/// <summary><c>init --pair a:b --files a=... --files b=...</c>: writes a pipeline file for a new domain pair, checked before it is kept.</summary>
public static class InitCommand
{
    public static Command Create()
    {
        var pair = new Option<string>("--pair") { Description = "The two domains, source:target of the first direction (e.g. beauty:electronics); both directions are written.", Required = true };
        var files = new Option<string[]>("--files") { Description = "A domain's raw files: --files beauty=reviews_Beauty.json.gz,meta_Beauty.json.gz (once per domain; paths relative to the current folder).", Required = true, Arity = ArgumentArity.OneOrMore };
        var names = new Option<string[]>("--name") { Description = "A domain's display name in prompts: --name beauty=\"All Beauty\" (default: the domain, capitalised).", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string?>("--output", "-o") { Description = "The pipeline file to write (default: pipelines/<a>-<b>.yaml)." };
        var artifacts = new Option<string?>("--artifacts") { Description = "Its artifacts root (default: artifacts/<a>-<b>), relative to the current folder." };
        var seeds = new Option<int>("--seeds") { Description = "Seeds to train and evaluate (1..N).", DefaultValueFactory = _ => 5 };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file." };
        var command = new Command("init", "Write a pipeline file for a new domain pair, with stage names from the pair.") { pair, files, names, output, artifacts, seeds, force };
        command.SetAction((parse, ct) => GlobalOptions.Guard(() =>
        {
            var domains = parse.GetValue(pair)!.Split(':', StringSplitOptions.TrimEntries);
            if (domains.Length != 2 || domains[0] == domains[1]) throw new ArgumentException($"--pair expects two different domains as a:b, got '{parse.GetValue(pair)}'");
            foreach (var d in domains)
                if (PairPipelineTemplate.Problem(d) is { } problem) throw new ArgumentException($"--pair: {problem}");
            var byDomain = ParseAssignments(parse.GetValue(files) ?? [], "--files", domains);
            foreach (var d in domains)
                if (!byDomain.ContainsKey(d)) throw new ArgumentException($"--files: no files for '{d}' (--files {d}=reviews.json.gz,meta.json.gz)");
            var display = ParseAssignments(parse.GetValue(names) ?? [], "--name", domains);
            var slug = $"{domains[0]}-{domains[1]}".Replace('_', '-');
            var path = Path.GetFullPath(parse.GetValue(output) ?? Path.Combine("pipelines", $"{slug}.yaml"));
            if (File.Exists(path) && !parse.GetValue(force)) throw new ArgumentException($"{path} exists; pass --force to overwrite it");
            if (parse.GetValue(seeds) < 1) throw new ArgumentException("--seeds must be >= 1");
            var here = Directory.GetCurrentDirectory();
            var root = Path.GetRelativePath(Path.GetDirectoryName(path)!, here).Replace('\\', '/');
            var template = new PairPipelineTemplate(domains[0], domains[1], Split(byDomain[domains[0]]), Split(byDomain[domains[1]]),
                root, parse.GetValue(artifacts) ?? $"artifacts/{slug}", parse.GetValue(seeds),
                display.ToDictionary(kv => kv.Key, kv => kv.Value));

            // Written beside its final place and loaded first: a file that does not validate is never left behind.
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var draft = path + $".{Environment.ProcessId}.draft.yaml";
            File.WriteAllText(draft, template.Render());
            PipelineDefinition pipeline;
            try { pipeline = PipelineLoader.Load(draft, StageCatalog.CreateRegistry()); }
            catch (ConfigException e)
            {
                File.Delete(draft);
                throw new ConfigException(e.Errors.Select(x => x with { File = x.File.Replace(Path.GetFileName(draft), Path.GetFileName(path)) }).ToList());
            }
            File.Move(draft, path, overwrite: true);
            var shown = Path.GetRelativePath(here, path);
            Console.WriteLine($"wrote {shown}: {pipeline.Stages.Count} stages ({domains[0]}_to_{domains[1]}, {domains[1]}_to_{domains[0]}, ...), artifacts in {Path.GetRelativePath(here, pipeline.ArtifactsRoot)}");
            Console.WriteLine($"next: dotnet run --project pipeline -- --config {shown} run all");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static Dictionary<string, string> ParseAssignments(string[] values, string option, string[] domains)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            var eq = v.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"{option} expects domain=value, got '{v}'");
            var domain = v[..eq].Trim();
            if (!domains.Contains(domain)) throw new ArgumentException($"{option} {v}: '{domain}' is not one of the pair's domains ({string.Join(", ", domains)})");
            result[domain] = v[(eq + 1)..].Trim();
        }
        return result;
    }

    private static List<string> Split(string files) =>
        files.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(f => f.Replace('\\', '/')).ToList();
}
