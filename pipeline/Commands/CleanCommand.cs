using System.CommandLine;
using CrossDomain.Engine.Lock;
using CrossDomain.Engine.Run;

namespace CrossDomain.Pipeline.Commands;

/// <summary><c>clean</c>: deletes files under the artifacts root that no locked output references.</summary>
public static class CleanCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "List what would be removed." };
        var command = new Command("clean", "Remove artifacts the lock file does not reference.") { dryRun };
        command.SetAction((parse, ct) => GlobalOptions.Guard(() =>
        {
            var pipeline = GlobalOptions.Load(parse);
            var locked = LockFile.Load(pipeline.LockPath).Stages.Values.SelectMany(s => s.Outputs.Values).Select(o => o.Path).ToHashSet(StringComparer.Ordinal);
            var victims = new ArtifactStore(pipeline.ArtifactsRoot).Unreferenced(pipeline, locked).ToList();
            foreach (var v in victims)
            {
                Console.WriteLine($"{(parse.GetValue(dryRun) ? "would remove" : "removing")} {pipeline.Relative(v)}");
                if (parse.GetValue(dryRun)) continue;
                if (Directory.Exists(v)) Directory.Delete(v, recursive: true); else File.Delete(v);
            }
            if (victims.Count == 0) Console.WriteLine("nothing to clean");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
