using System.CommandLine;
using CrossDomain.Pipeline;
using CrossDomain.Pipeline.Commands;

// crossdomain: run and inspect the declarative pipeline (see README.md).
CrossDomain.Pipeline.Output.TerminalWidth.Apply();
var root = new RootCommand("CrossDomain: LLM-derived item semantics and cross-domain sequential recommenders, as a cached pipeline.")
{
    GlobalOptions.Config, GlobalOptions.Set, GlobalOptions.Lock, GlobalOptions.Quiet, GlobalOptions.Verbose,
    InitCommand.Create(), RunCommand.Create(), StatusCommand.Create(), InspectCommand.Create(), ListCommand.Create(), GraphCommand.Create(), CleanCommand.Create(), ReportCommand.Create(), BatchCommand.Create(),
};
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("see --help");
    return ExitCodes.Usage;
}
return await parse.InvokeAsync();
