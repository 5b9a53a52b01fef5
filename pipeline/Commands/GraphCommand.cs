using System.CommandLine;
using System.Text;
using CrossDomain.Engine.Graph;

namespace CrossDomain.Pipeline.Commands;

/// <summary><c>graph</c>: the DAG as Mermaid text (paste into a Markdown file or mermaid.live).</summary>
public static class GraphCommand
{
    public static Command Create()
    {
        var command = new Command("graph", "Print the stage graph as Mermaid text.");
        command.SetAction((parse, ct) => GlobalOptions.Guard(() =>
        {
            Console.Write(Render(GlobalOptions.Load(parse)));
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    public static string Render(PipelineDefinition pipeline)
    {
        var sb = new StringBuilder("flowchart TD\n");
        foreach (var s in pipeline.Stages) sb.Append($"  {s.Name}[\"{s.Name}<br/><i>{s.Kind.Name}</i>\"]\n");
        foreach (var s in pipeline.Stages)
            foreach (var group in s.Upstream.GroupBy(u => u.Stage))
                sb.Append($"  {group.Key} -->|{string.Join(", ", group.Select(u => u.Spec.Name))}| {s.Name}\n");
        return sb.ToString();
    }
}
