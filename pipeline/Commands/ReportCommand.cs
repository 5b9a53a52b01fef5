using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using CrossDomain.Stages.Report;
using Spectre.Console;

namespace CrossDomain.Pipeline.Commands;

/// <summary>
/// <c>report</c>: lists the pipeline's results pages (evaluate and report stages) with their state, and with
/// <c>--export DIR</c> copies the fresh ones into a documentation folder with the commit and machine they came from.
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var export = new Option<string?>("--export") { Description = "Copy the fresh results pages into this folder (replaced as a whole), e.g. docs/results/food-kitchen." };
        var stages = new Argument<string[]>("stages") { Description = "Evaluate or report stages (default: every one that is fresh).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("report", "List the results pages (evaluate and report stages), or export them with --export DIR.") { export, stages };
        command.SetAction((parse, ct) => GlobalOptions.Guard(() =>
        {
            var pipeline = GlobalOptions.Load(parse);
            var statuses = StatusCommand.Evaluate(pipeline);
            var named = parse.GetValue(stages) ?? [];
            if (parse.GetValue(export) is not { } directory)
            {
                var table = new Table().AddColumns("stage", "kind", "state", "page");
                foreach (var stage in pipeline.Stages.Where(ResultsExport.IsPageStage).Where(s => named.Length == 0 || named.Contains(s.Name)))
                {
                    var state = statuses.Single(s => s.Stage == stage.Name).State.ToString().ToLowerInvariant();
                    table.AddRow(Markup.Escape(stage.Name), stage.Kind.Name, state, Markup.Escape(Path.GetRelativePath(Environment.CurrentDirectory, ResultsExport.PagePath(stage))));
                }
                AnsiConsole.Write(table);
                return Task.FromResult(ExitCodes.Success);
            }
            try
            {
                var result = ResultsExport.Write(pipeline, statuses, directory, named, new ResultsExport.Provenance(Commit(pipeline.Root), Machine(), DateTimeOffset.UtcNow));
                foreach (var (stage, why) in result.LeftOut) Console.Error.WriteLine($"left out {stage}: {why}");
                Console.WriteLine($"exported {result.Files.Count} file(s) to {directory}");
                return Task.FromResult(ExitCodes.Success);
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(ExitCodes.Failure);
            }
        }));
        return command;
    }

    /// <summary>The checked-out commit, marked when the working tree differs from it; "unknown" outside git.</summary>
    public static string Commit(string directory)
    {
        var head = Git(directory, "rev-parse HEAD");
        if (head is null) return "unknown (not a git checkout)";
        var dirty = Git(directory, "status --porcelain --untracked-files=no");
        return string.IsNullOrEmpty(dirty) ? head : head + " (with uncommitted changes)";
    }

    private static string? Git(string directory, string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments)
            {
                WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            });
            if (git is null) return null;
            var text = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; } // no git on the PATH
    }

    /// <summary>OS, CPU model, logical cores and memory of this machine.</summary>
    public static string Machine()
    {
        var cpu = ProcValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memory = ProcValue("/proc/meminfo", "MemTotal") is { } kb && long.TryParse(kb.Split(' ')[0], out var k) ? $", {k / 1024.0 / 1024.0:F0} GiB" : "";
        return $"{RuntimeInformation.OSDescription}, {cpu}, {Environment.ProcessorCount} logical cores{memory}";
    }

    private static string? ProcValue(string file, string key) => File.Exists(file)
        ? File.ReadLines(file).Where(l => l.StartsWith(key, StringComparison.Ordinal)).Select(l => l[(l.IndexOf(':') + 1)..].Trim()).FirstOrDefault()
        : null;
}
