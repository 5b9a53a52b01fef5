using System.CommandLine;
using CrossDomain.Engine.Config;
using CrossDomain.Engine.Graph;
using CrossDomain.Stages;
using Spectre.Console;

namespace CrossDomain.Pipeline;

/// <summary>Options every verb accepts, and loading of the pipeline they point at.</summary>
public static class GlobalOptions
{
    public static readonly Option<string> Config = new("--config", "-c")
    {
        Description = "Pipeline file to use.", DefaultValueFactory = _ => "pipeline.yaml", Recursive = true,
    };

    public static readonly Option<string[]> Set = new("--set")
    {
        Description = "Override a value: --set stages.food_to_kitchen.params.max_len=50, or for every stage of a kind --set defaults.sequences.max_len=50 (repeatable).",
        Recursive = true, AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.ZeroOrMore,
    };

    public static readonly Option<string?> Lock = new("--lock")
    {
        Description = "Lock file to use (default: pipeline.lock inside the artifacts root, so each root has its own).", Recursive = true,
    };

    public static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print only errors and the final summary.", Recursive = true };
    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Print detailed logs.", Recursive = true };

    public static PipelineDefinition Load(ParseResult parse) =>
        PipelineLoader.Load(parse.GetValue(Config)!, StageCatalog.CreateRegistry(), parse.GetValue(Set) ?? [], parse.GetValue(Lock));

    /// <summary>Runs a verb, mapping config errors to exit code 2 and failures to 1.</summary>
    public static async Task<int> Guard(Func<Task<int>> action)
    {
        try { return await action(); }
        catch (ConfigException e)
        {
            foreach (var error in e.Errors) Console.Error.WriteLine($"error: {error}");
            return ExitCodes.Usage;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or Engine.Stages.StageException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    public static IAnsiConsole Out { get; } = AnsiConsole.Console;
}

public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    /// <summary>Nothing failed, but a stage waits on batch jobs: run again later to collect them.</summary>
    public const int Waiting = 3;
}
