using System.CommandLine;
using System.Reflection;
using CrossDomain.Engine.Config;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages;
using Spectre.Console;

namespace CrossDomain.Pipeline.Commands;

/// <summary><c>list</c>: the pipeline's stages and outputs; <c>list --kinds</c>: every stage kind and its params.</summary>
public static class ListCommand
{
    public static Command Create()
    {
        var kinds = new Option<string[]>("--kinds") { Description = "List stage kinds and their params (with defaults) instead; --kinds train shows one kind.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("list", "List stages with their kind, deps and outputs.") { kinds };
        command.SetAction((parse, ct) => GlobalOptions.Guard(() =>
        {
            if (parse.GetResult(kinds) is not null) { PrintKinds(parse.GetValue(kinds) ?? []); return Task.FromResult(ExitCodes.Success); }
            var pipeline = GlobalOptions.Load(parse);
            var table = new Table().AddColumns("stage", "kind", "deps", "outputs");
            foreach (var s in pipeline.Stages)
                table.AddRow(Markup.Escape(s.Name), Markup.Escape(s.Kind.Name),
                    Markup.Escape(string.Join("\n", s.Upstream.Select(u => u.Id).Concat(s.Inputs.Select(i => pipeline.Relative(i.Path))))),
                    Markup.Escape(string.Join("\n", s.Outputs.Values.Select(o => $"{o.Spec.Name}: {pipeline.Relative(o.Path)}"))));
            AnsiConsole.Write(table);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static void PrintKinds(IReadOnlyCollection<string> names)
    {
        var registry = StageCatalog.CreateRegistry();
        foreach (var n in names)
            if (!registry.TryGet(n, out _))
                throw new ArgumentException($"unknown stage kind '{n}'; known: {string.Join(", ", registry.All.Select(k => k.Name))}");
        foreach (var kind in registry.All.Where(k => names.Count == 0 || names.Contains(k.Name)))
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(kind.Name)}[/] (version {kind.Version}): {Markup.Escape(kind.Description)}");
            var defaults = Activator.CreateInstance(kind.ParamsType)!;
            var table = new Table().AddColumns("param", "default", "description");
            AddRows(table, kind.ParamsType, defaults, "");
            AnsiConsole.Write(table);
        }
    }

    /// <summary>One row per param; a nested params record (such as extract's <c>llm</c>) as dotted rows of its own params.</summary>
    private static void AddRows(Table table, Type type, object values, string prefix)
    {
        foreach (var p in ParamBinder.SettableProperties(type))
        {
            var value = p.GetValue(values);
            var description = ParamAttribute.Of(p)?.Description ?? "";
            if (value is not null && p.PropertyType.IsClass && p.PropertyType != typeof(string)
                && ParamBinder.SettableProperties(p.PropertyType).Any(x => ParamAttribute.Of(x) is not null))
            {
                table.AddRow(Markup.Escape(prefix + ParamBinder.KeyOf(p)), "", Markup.Escape(description));
                AddRows(table, p.PropertyType, value, prefix + ParamBinder.KeyOf(p) + ".");
                continue;
            }
            table.AddRow(Markup.Escape(prefix + ParamBinder.KeyOf(p)),
                Markup.Escape(System.Text.Json.JsonSerializer.Serialize(value, p.PropertyType, ParamBinder.CanonicalOptions)), Markup.Escape(description));
        }
    }
}
