using System.CommandLine;
using CrossDomain.Engine.Progress;
using CrossDomain.Engine.Run;
using CrossDomain.Pipeline.Output;
using Spectre.Console;

namespace CrossDomain.Pipeline.Commands;

/// <summary><c>run [STAGE...|all]</c>: brings stages up to date, running only what is stale.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var stages = new Argument<string[]>("stage") { Description = "Stages to bring up to date ('all' or nothing for every stage).", Arity = ArgumentArity.ZeroOrMore };
        var force = new Option<bool>("--force", "-f") { Description = "Rerun the named stages even when fresh (every stage when none is named); fresh upstream stages are not rerun." };
        var forceUpstream = new Option<bool>("--force-upstream", "-R") { Description = "With --force: rerun every stage upstream of the named ones too." };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Print what would run and why; run nothing." };
        var estimate = new Option<bool>("--estimate") { Description = "A dry run that also prints, for each stale stage that calls a paid service (extract), the calls still to make after the caches, their tokens and cost; sends nothing." };
        var single = new Option<bool>("--single", "-s") { Description = "Run only the named stages, not their stale upstream (their inputs must exist)." };
        var resume = new Option<bool>("--resume") { DefaultValueFactory = _ => true, Description = "Continue training a cut-off run left behind, from its last checkpoint (default true; --resume false starts it over)." };
        var noRunCache = new Option<bool>("--no-run-cache") { Description = "Run stale stages even when the run-cache holds their outputs for exactly this state (artifacts/.cache/runs)." };
        var command = new Command("run", "Run stale stages in dependency order.") { stages, force, forceUpstream, dryRun, estimate, single, resume, noRunCache };
        command.SetAction((parse, ct) => GlobalOptions.Guard(async () =>
        {
            var pipeline = GlobalOptions.Load(parse);
            var targets = (parse.GetValue(stages) ?? []).Where(s => s != "all").ToList();
            if (parse.GetValue(single) && targets.Count == 0) throw new ArgumentException("--single needs a stage name");
            if (parse.GetValue(forceUpstream) && !parse.GetValue(force)) throw new ArgumentException("--force-upstream (-R) goes with --force");
            var options = new RunOptions { Targets = targets, Force = parse.GetValue(force), ForceUpstream = parse.GetValue(forceUpstream), DryRun = parse.GetValue(dryRun) || parse.GetValue(estimate), Estimate = parse.GetValue(estimate), Single = parse.GetValue(single), Resume = parse.GetValue(resume), UseRunCache = !parse.GetValue(noRunCache) };
            var quiet = parse.GetValue(GlobalOptions.Quiet);
            var verbose = parse.GetValue(GlobalOptions.Verbose);
            RunResult result;
            if (!quiet && !options.DryRun && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            {
                RunResult? r = null;
                await RunProgressView.Create(AnsiConsole.Console)
                    .StartAsync(async pctx => r = await new PipelineRunner(pipeline, new SpectreProgressSink(pctx, verbose)).RunAsync(options, ct));
                result = r!;
            }
            else result = await new PipelineRunner(pipeline, new PlainProgressSink(Console.Out, quiet, verbose)).RunAsync(options, ct);
            Print(result, options.DryRun, quiet);
            if (!options.DryRun) Console.WriteLine(Summary(pipeline, result));
            return result.Succeeded ? ExitCodes.Success : result.Waiting ? ExitCodes.Waiting : ExitCodes.Failure;
        }));
        return command;
    }

    /// <summary>The last line of a run: what ran, what was already up to date, what failed, and where the report is.</summary>
    public static string Summary(Engine.Graph.PipelineDefinition pipeline, RunResult result)
    {
        int Count(StageOutcome o) => result.Stages.Count(s => s.Outcome == o);
        var line = $"summary: {Count(StageOutcome.Ran)} ran, {Count(StageOutcome.UpToDate)} up to date (cached), {Count(StageOutcome.Failed)} failed";
        if (Count(StageOutcome.Restored) > 0) line += $", {Count(StageOutcome.Restored)} restored from the run-cache";
        if (Count(StageOutcome.Waiting) > 0) line += $", {Count(StageOutcome.Waiting)} waiting on batch jobs";
        if (Count(StageOutcome.Skipped) > 0) line += $", {Count(StageOutcome.Skipped)} skipped";
        var reports = result.Stages.Where(s => s.Outcome is StageOutcome.Ran or StageOutcome.UpToDate or StageOutcome.Restored)
            .Select(s => pipeline.Find(s.Stage)!).Where(s => s.Kind.Name == "report" && s.Outputs.ContainsKey("html"))
            .Select(s => pipeline.Relative(s.Outputs["html"].Path)).ToList();
        if (reports.Count > 0) line += $"; report: {string.Join(", ", reports)}";
        return line;
    }

    private static void Print(RunResult result, bool dryRun, bool quiet)
    {
        if (result.Cancelled || result.Stages.Any(s => s.Outcome == StageOutcome.Failed && s.Error == "interrupted"))
            Console.Error.WriteLine("interrupted: finished stages are kept; the next run redoes only the interrupted stage");
        foreach (var s in result.Stages)
        {
            switch (s.Outcome)
            {
                case StageOutcome.UpToDate when !quiet: Console.WriteLine($"{s.Stage}: up to date"); break;
                case StageOutcome.WouldRun:
                    Console.WriteLine($"{s.Stage}: would run ({string.Join("; ", s.Reasons)})");
                    foreach (var line in s.Estimate) Console.WriteLine($"  {line}");
                    break;
                case StageOutcome.Ran: Console.WriteLine($"{s.Stage}: ran in {s.Seconds:F1} s"); break;
                case StageOutcome.Restored: Console.WriteLine($"{s.Stage}: restored from the run-cache"); break;
                case StageOutcome.Failed: Console.Error.WriteLine($"{s.Stage}: FAILED: {s.Error}"); break;
                case StageOutcome.Skipped: Console.WriteLine($"{s.Stage}: skipped (an earlier stage failed or waits)"); break;
                case StageOutcome.Waiting: Console.WriteLine($"{s.Stage}: waiting: {s.Error}"); break;
            }
        }
        if (dryRun && result.Stages.All(s => s.Outcome == StageOutcome.UpToDate)) Console.WriteLine("nothing to run");
    }
}
