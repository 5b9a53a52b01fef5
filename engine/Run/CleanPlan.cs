using CrossDomain.Engine.Graph;
using CrossDomain.Engine.Hashing;
using CrossDomain.Engine.Lock;

namespace CrossDomain.Engine.Run;

/// <summary>One path that <c>clean</c> would move to the trash: an output that this pipeline's lock says a stage produced.</summary>
public sealed record CleanItem(string Stage, string Output, string Path, long Size);

/// <summary>
/// What <c>clean</c> removes, decided from this pipeline's own lock only (DVC's <c>gc</c> rule: never touch what
/// another pipeline produced). A file that no lock entry of this pipeline records is never a candidate, so the
/// outputs of other pipelines whose artifacts roots sit inside this one, data the user put there, and the engine's
/// dot-folders (caches, state) are out of reach by construction.
/// <list type="bullet">
/// <item>Without stage names: the recorded outputs of stages that are no longer in the pipeline, and recorded outputs
/// that the pipeline now writes elsewhere (<c>outs:</c> moved them). Their lock entries go with them.</item>
/// <item>With stage names: every recorded output of those stages, and their lock entries, so they run again.</item>
/// </list>
/// A path that is, contains or lies inside an output the current pipeline declares is never removed without being
/// named, nor is the project or artifacts root itself.
/// </summary>
public sealed class CleanPlan
{
    public required IReadOnlyList<CleanItem> Items { get; init; }
    /// <summary>Lock entries that go with the items (their stages are gone, or were named).</summary>
    public required IReadOnlyList<string> DroppedEntries { get; init; }
    public bool IsEmpty => Items.Count == 0 && DroppedEntries.Count == 0;

    public static CleanPlan Make(PipelineDefinition pipeline, LockFile lockFile, IReadOnlyCollection<string> stages)
    {
        foreach (var s in stages)
            if (pipeline.Find(s) is null && !lockFile.Stages.ContainsKey(s))
                throw new ArgumentException($"unknown stage '{s}': it is neither in {Path.GetFileName(pipeline.ConfigPath)} nor in the lock {pipeline.LockPath}");

        var current = pipeline.Stages.SelectMany(s => s.Outputs.Values).ToList();
        var items = new List<CleanItem>();
        var dropped = new List<string>();
        foreach (var (name, entry) in lockFile.Stages)
        {
            var stage = pipeline.Find(name);
            var named = stages.Contains(name);
            if (stages.Count > 0 && !named) continue;
            var gone = stage is null;
            if (named || gone) dropped.Add(name);
            foreach (var (output, file) in entry.Outputs)
            {
                var path = Path.GetFullPath(Path.Combine(pipeline.Root, file.Path));
                var moved = stage is not null && (!stage.Outputs.TryGetValue(output, out var now) || now.Path != path);
                if (!(named || gone || moved)) continue;
                if (!File.Exists(path) && !Directory.Exists(path)) continue;
                if (path == pipeline.Root || path == pipeline.ArtifactsRoot) continue;
                // Only a named stage may lose a path that the current pipeline still declares.
                var declaredNow = current.Any(o => Overlaps(o.Path, path));
                if (declaredNow && !(named && stage is not null && stage.Outputs.Values.Any(o => o.Path == path))) continue;
                items.Add(new CleanItem(name, output, path, SizeOf(path)));
            }
        }
        return new CleanPlan { Items = items, DroppedEntries = dropped };
    }

    private static bool Overlaps(string a, string b) =>
        a == b || a.StartsWith(b + Path.DirectorySeparatorChar, StringComparison.Ordinal) || b.StartsWith(a + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static long SizeOf(string path) =>
        File.Exists(path) ? new FileInfo(path).Length
        : Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
