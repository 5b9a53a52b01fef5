using System.CommandLine;
using CrossDomain.Engine.Lock;
using CrossDomain.Engine.Run;
using Spectre.Console;

namespace CrossDomain.Pipeline.Commands;

/// <summary>
/// <c>clean [STAGE...]</c>: moves outputs that this pipeline's lock records, and that the pipeline no longer
/// writes there (or of the named stages), to a recoverable trash. Never touches anything the lock does not record.
/// </summary>
public static class CleanCommand
{
    public static Command Create()
    {
        var stages = new Argument<string[]>("stage") { Description = "Stages whose outputs to remove (next time they are restored from the run-cache, or rerun with run --no-run-cache). None: outputs of stages removed from the pipeline, and outputs it now writes elsewhere.", Arity = ArgumentArity.ZeroOrMore };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "List what would be removed; remove nothing." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var purge = new Option<bool>("--purge") { Description = "Delete the trash of earlier cleans for good (the next run does this too)." };
        var restore = new Option<bool>("--restore") { Description = "Put back what the last clean moved to the trash." };
        var runCache = new Option<bool>("--run-cache") { Description = "Delete the run-cache (artifacts/.cache/runs: the outputs of earlier runs, kept so that a param switched back restores them) for good; outputs in place are kept." };
        var command = new Command("clean", "Move outputs this pipeline's lock records, and no longer needs, to a recoverable trash.") { stages, dryRun, yes, purge, restore, runCache };
        command.SetAction((parse, ct) => GlobalOptions.Guard(() =>
        {
            var pipeline = GlobalOptions.Load(parse);
            Directory.CreateDirectory(pipeline.ArtifactsRoot);
            using var runLock = PipelineRunner.AcquireRunLock(pipeline); // not while a run writes
            var trash = new CleanTrash(pipeline);
            var lockFile = LockFile.Open(pipeline);
            if (parse.GetValue(restore))
            {
                var (restored, skipped) = trash.RestoreNewest(lockFile);
                foreach (var r in restored) Console.WriteLine($"restored {r}");
                foreach (var s in skipped) Console.Error.WriteLine($"not restored: {s}");
                return Task.FromResult(skipped.Count == 0 ? ExitCodes.Success : ExitCodes.Failure);
            }
            if (parse.GetValue(runCache))
            {
                var cache = new RunCache(pipeline.ArtifactsRoot);
                var entries = cache.Entries();
                if (parse.GetValue(dryRun))
                    Console.WriteLine($"would delete {entries.Count} run-cache entr{(entries.Count == 1 ? "y" : "ies")} in {pipeline.Relative(cache.Root)}");
                else
                {
                    foreach (var entry in entries) Directory.Delete(entry, recursive: true);
                    Console.WriteLine($"deleted {entries.Count} run-cache entr{(entries.Count == 1 ? "y" : "ies")} in {pipeline.Relative(cache.Root)}");
                }
                return Task.FromResult(ExitCodes.Success);
            }
            if (parse.GetValue(purge))
            {
                var (items, bytes) = trash.Empty();
                Console.WriteLine(items == 0 ? "the trash is empty" : $"deleted {items} trashed item(s), {bytes / 1e6:F1} MB, for good");
                return Task.FromResult(ExitCodes.Success);
            }

            var plan = CleanPlan.Make(pipeline, lockFile, parse.GetValue(stages) ?? []);
            if (plan.IsEmpty) { Console.WriteLine("nothing to clean"); return Task.FromResult(ExitCodes.Success); }
            var dry = parse.GetValue(dryRun);
            foreach (var item in plan.Items)
                Console.WriteLine($"{(dry ? "would move" : "will move")} {pipeline.Relative(item.Path)} ({item.Stage}.{item.Output}, {item.Size / 1e6:F1} MB)");
            foreach (var entry in plan.DroppedEntries)
                Console.WriteLine($"{(dry ? "would forget" : "will forget")} stage {entry} in {pipeline.Relative(pipeline.LockPath)}");
            if (dry) return Task.FromResult(ExitCodes.Success);
            if (!parse.GetValue(yes))
            {
                if (Console.IsInputRedirected)
                {
                    Console.Error.WriteLine("error: not confirmed: pass --yes to clean without a prompt (nothing was removed)");
                    return Task.FromResult(ExitCodes.Failure);
                }
                if (!AnsiConsole.Confirm($"Move {plan.Items.Count} item(s) to {pipeline.Relative(trash.Root)}?", defaultValue: false))
                {
                    Console.WriteLine("nothing was removed");
                    return Task.FromResult(ExitCodes.Success);
                }
            }
            var dir = trash.Move(plan, lockFile);
            Console.WriteLine($"moved {plan.Items.Count} item(s) to {pipeline.Relative(dir)}; 'clean --restore' puts them back, the next run or 'clean --purge' deletes them");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
