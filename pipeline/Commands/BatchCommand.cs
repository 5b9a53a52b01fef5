using System.CommandLine;
using CrossDomain.Stages.Extract;

namespace CrossDomain.Pipeline.Commands;

/// <summary><c>batch status|cancel [STAGE...]</c>: the batch jobs of extract stages in <c>llm.mode: batch</c>.</summary>
public static class BatchCommand
{
    public static Command Create()
    {
        var command = new Command("batch", "The batch jobs of extract stages in llm.mode batch.");
        command.Subcommands.Add(Sub("status", "Show each extract stage's batch jobs as recorded (sends nothing).", cancel: false));
        command.Subcommands.Add(Sub("cancel", "Cancel every open batch job of the extract stages; answers they finished are still collected by the next run.", cancel: true));
        return command;
    }

    private static Command Sub(string name, string description, bool cancel)
    {
        var stages = new Argument<string[]>("stage") { Description = "Extract stages (all when none is named).", Arity = ArgumentArity.ZeroOrMore };
        var sub = new Command(name, description) { stages };
        sub.SetAction((parse, ct) => GlobalOptions.Guard(async () =>
        {
            var pipeline = GlobalOptions.Load(parse);
            var named = parse.GetValue(stages) ?? [];
            var extracts = pipeline.Stages.Where(s => s.Kind is ExtractStage && (named.Length == 0 || named.Contains(s.Name))).ToList();
            foreach (var n in named.Where(n => extracts.All(s => s.Name != n)))
                throw new ArgumentException($"'{n}' is not an extract stage; extract stages: {string.Join(", ", pipeline.Stages.Where(s => s.Kind is ExtractStage).Select(s => s.Name))}");
            foreach (var stage in extracts)
            {
                var p = (ExtractParams)stage.Params;
                if (!cancel)
                {
                    Console.WriteLine($"{stage.Name}: {ExtractStage.BatchJobsText(p, pipeline.ArtifactsRoot)}");
                    continue;
                }
                var cancelled = await ExtractStage.CancelBatchesAsync(p, pipeline.ArtifactsRoot, ct);
                Console.WriteLine($"{stage.Name}: {cancelled} open batch job(s) cancelled");
            }
            return ExitCodes.Success;
        }));
        return sub;
    }
}
