using System.CommandLine;
using System.Text.Json;
using CrossDomain.Engine.Hashing;
using CrossDomain.Engine.Lock;
using CrossDomain.Engine.Run;
using Spectre.Console;

namespace CrossDomain.Pipeline.Commands;

/// <summary><c>status</c>: each stage fresh, stale or missing, with the reasons.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var check = new Option<bool>("--check") { Description = "Exit 1 if any stage is not fresh." };
        var command = new Command("status", "Show which stages are fresh, stale or missing, and why.") { json, check };
        command.SetAction((parse, ct) => GlobalOptions.Guard(() =>
        {
            var pipeline = GlobalOptions.Load(parse);
            var statuses = Evaluate(pipeline);
            if (parse.GetValue(json))
            {
                var rows = statuses.Select(s => new { stage = s.Stage, kind = pipeline.Find(s.Stage)!.Kind.Name, state = s.State.ToString().ToLowerInvariant(), reasons = s.Reasons });
                Console.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                var table = new Table().AddColumns("stage", "kind", "state", "why");
                foreach (var s in statuses)
                {
                    var color = s.State switch { StageState.Fresh => "green", StageState.Stale => "yellow", _ => "red" };
                    table.AddRow(Markup.Escape(s.Stage), Markup.Escape(pipeline.Find(s.Stage)!.Kind.Name), $"[{color}]{s.State.ToString().ToLowerInvariant()}[/]",
                        Markup.Escape(string.Join("\n", s.Reasons)));
                }
                AnsiConsole.Write(table);
            }
            var allFresh = statuses.All(s => s.State == StageState.Fresh);
            return Task.FromResult(parse.GetValue(check) && !allFresh ? ExitCodes.Failure : ExitCodes.Success);
        }));
        return command;
    }

    /// <summary>Every stage's state against the lock, saving the file hashes it computed for the next call.</summary>
    public static IReadOnlyList<StageStatus> Evaluate(Engine.Graph.PipelineDefinition pipeline)
    {
        var hasher = new ContentHasher(new PipelineRunner(pipeline, Engine.Progress.NullProgressSink.Instance).StatePath);
        var statuses = new StatusEvaluator(pipeline, LockFile.Open(pipeline), hasher).EvaluateAll(pipeline.Stages);
        hasher.Save();
        var runCache = new RunCache(pipeline.ArtifactsRoot);
        return [.. statuses.Select(s =>
        {
            if (s.State == StageState.Fresh) return s;
            var stage = pipeline.Find(s.Stage)!;
            if (runCache.RestoreNote(stage, s.Fingerprint) is { } note) s = s with { Reasons = [.. s.Reasons, note] };
            if (stage.Kind.Waiting(stage.Params, pipeline.ArtifactsRoot) is { } waiting) s = s with { Reasons = [.. s.Reasons, waiting] };
            return s;
        })];
    }
}
