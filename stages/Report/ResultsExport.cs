using System.Text;
using CrossDomain.Engine.Graph;
using CrossDomain.Engine.Lock;
using CrossDomain.Engine.Run;
using CrossDomain.Stages.Shared;

namespace CrossDomain.Stages.Report;

/// <summary>
/// Copies a pipeline's generated results pages into a documentation folder (<c>crossdomain report --export DIR</c>):
/// each evaluate stage's <c>results.md</c> and each report stage's <c>report.md</c> with its <c>figures/</c>, at the
/// same relative paths as under the artifacts root (<c>DIR/evaluate/results.md</c>, <c>DIR/report/report.md</c>),
/// byte for byte, plus <c>DIR/README.md</c> saying which pipeline, commit and machine they came from and each stage's
/// lock fingerprint, and <c>DIR/pipeline.lock</c> with the lock entries of those stages and all their upstream. Only fresh stages are exported, so every page agrees with the pipeline file and the lock; a named
/// stage that is not fresh is an error, and by default the stale ones are listed as left out. The folder is replaced
/// as a whole (built beside it, then renamed): it holds generated files only.
/// </summary>
public static class ResultsExport
{
    /// <summary>Where the export came from, for its README.</summary>
    public sealed record Provenance(string Commit, string Machine, DateTimeOffset When);

    public sealed record Result(IReadOnlyList<string> Files, IReadOnlyList<(string Stage, string Why)> LeftOut);

    /// <summary>The stage kinds whose outputs are results pages, with the outputs copied.</summary>
    private static readonly Dictionary<string, string[]> Pages = new(StringComparer.Ordinal)
    {
        ["evaluate"] = ["table"],
        ["report"] = ["markdown", "figures"],
    };

    /// <summary>The exported lock entries' file.</summary>
    public const string LockFileName = "pipeline.lock";

    public static bool IsPageStage(StageDefinition stage) => Pages.ContainsKey(stage.Kind.Name);

    /// <summary>The page of an evaluate or report stage: its results.md or report.md.</summary>
    public static string PagePath(StageDefinition stage) => stage.Outputs[Pages[stage.Kind.Name][0]].Path;

    public static Result Write(PipelineDefinition pipeline, IReadOnlyList<StageStatus> statuses, string directory,
        IReadOnlyList<string> stages, Provenance provenance)
    {
        var byName = statuses.ToDictionary(s => s.Stage, StringComparer.Ordinal);
        foreach (var name in stages)
        {
            var stage = pipeline.Find(name) ?? throw new ArgumentException($"no stage '{name}' in {pipeline.ConfigPath}");
            if (!IsPageStage(stage))
                throw new ArgumentException($"stage '{name}' is a {stage.Kind.Name} stage; only evaluate and report stages have results pages to export");
            if (byName[name].State != StageState.Fresh)
                throw new InvalidOperationException($"stage '{name}' is {byName[name].State.ToString().ToLowerInvariant()} ({string.Join("; ", byName[name].Reasons)}): " +
                                                    $"run it first (crossdomain --config {pipeline.Relative(pipeline.ConfigPath)} run {name})");
        }
        var candidates = stages.Count > 0 ? stages.Select(n => pipeline.Find(n)!).ToList() : pipeline.Stages.Where(IsPageStage).ToList();
        var leftOut = candidates.Where(s => byName[s.Name].State != StageState.Fresh)
            .Select(s => (s.Name, $"{byName[s.Name].State.ToString().ToLowerInvariant()}: {string.Join("; ", byName[s.Name].Reasons)}")).ToList();
        var exported = candidates.Where(s => byName[s.Name].State == StageState.Fresh).ToList();
        if (exported.Count == 0)
            throw new InvalidOperationException($"{pipeline.Relative(pipeline.ConfigPath)} has no fresh evaluate or report stage to export" +
                                                (leftOut.Count > 0 ? $" ({string.Join("; ", leftOut.Select(l => $"{l.Name}: {l.Item2}"))})" : ""));

        var target = Path.GetFullPath(directory);
        var building = target.TrimEnd(Path.DirectorySeparatorChar) + $".export-{Environment.ProcessId}.tmp";
        if (Directory.Exists(building)) Directory.Delete(building, recursive: true);
        Directory.CreateDirectory(building);
        var files = new List<string>();
        foreach (var stage in exported)
            foreach (var output in Pages[stage.Kind.Name])
            {
                var source = stage.Outputs[output].Path;
                var relative = Path.GetRelativePath(pipeline.ArtifactsRoot, source);
                var destination = Path.Combine(building, relative);
                if (Directory.Exists(source)) CopyDirectory(source, destination, files, building);
                else
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                    File.Copy(source, destination);
                    files.Add(Slash(relative));
                }
            }
        File.WriteAllText(Path.Combine(building, "README.md"), Readme(pipeline, exported, byName, leftOut, provenance));
        files.Insert(0, "README.md");
        // The lock entries that produced these pages, as DVC commits dvc.lock: every exported stage and every stage
        // upstream of it, with their params and the hashes of what they read and wrote.
        var lockFile = LockFile.Open(pipeline);
        var produced = new LockFile();
        foreach (var stage in pipeline.WithUpstream(exported.Select(s => s.Name)))
            if (lockFile.Stages.TryGetValue(stage.Name, out var entry))
                // An entry of an older lock format that is fresh is written with its current fingerprint.
                produced.Stages[stage.Name] = byName.TryGetValue(stage.Name, out var st) && st is { State: StageState.Fresh, Fingerprint: { } fp } && fp != entry.Fingerprint
                    ? entry.WithFingerprint(fp) : entry;
        produced.Save(Path.Combine(building, LockFileName));
        files.Insert(1, LockFileName);

        // Replace the folder in two renames; the old one is kept until the new one is in place.
        var old = target.TrimEnd(Path.DirectorySeparatorChar) + $".old-{Environment.ProcessId}.tmp";
        if (Directory.Exists(target)) Directory.Move(target, old);
        else Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Directory.Move(building, target);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        return new Result(files, leftOut);
    }

    private static void CopyDirectory(string source, string destination, List<string> files, string root)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var to = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
            files.Add(Slash(Path.GetRelativePath(root, to)));
        }
    }

    private static string Slash(string path) => path.Replace('\\', '/');

    private static string Readme(PipelineDefinition pipeline, IReadOnlyList<StageDefinition> exported, IReadOnlyDictionary<string, StageStatus> status,
        IReadOnlyList<(string Stage, string Why)> leftOut, Provenance provenance)
    {
        var config = pipeline.Relative(pipeline.ConfigPath);
        var sb = new StringBuilder();
        sb.AppendLine($"# Results of `{config}`");
        sb.AppendLine();
        sb.AppendLine("Generated files: every page here is the pipeline's own output, copied byte for byte by");
        sb.AppendLine($"`crossdomain --config {config} report --export <this folder>`. Do not edit them; rerun the pipeline and export again.");
        sb.AppendLine();
        sb.AppendLine($"- Commit: {provenance.Commit}");
        sb.AppendLine($"- Machine: {provenance.Machine}");
        sb.AppendLine($"- Exported: {provenance.When.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        var table = new MarkdownTable(MarkdownTable.Text("stage"), MarkdownTable.Text("kind"), MarkdownTable.Text("page"), MarkdownTable.Text("fingerprint"));
        foreach (var stage in exported)
        {
            var page = Slash(Path.GetRelativePath(pipeline.ArtifactsRoot, PagePath(stage)));
            table.Add(stage.Name, stage.Kind.Name, $"[{page}]({page})", $"`{status[stage.Name].Fingerprint}`");
        }
        sb.Append(table);
        sb.AppendLine();
        sb.AppendLine($"[{LockFileName}]({LockFileName}) holds the lock entries of these stages and of every stage upstream of them, as the runs left");
        sb.AppendLine("them: params, and the hashes of the inputs, prompts and upstream outputs each stage read and of the outputs it wrote.");
        if (leftOut.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Left out (not fresh when exported):");
            sb.AppendLine();
            foreach (var (stage, why) in leftOut) sb.AppendLine($"- {stage}: {why}");
        }
        return sb.ToString();
    }
}
