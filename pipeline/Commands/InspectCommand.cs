using System.CommandLine;
using System.Text;
using System.Text.Json;
using CrossDomain.Engine.Artifacts;
using Spectre.Console;

namespace CrossDomain.Pipeline.Commands;

/// <summary><c>inspect ARTIFACT|PATH</c>: schema, rows, row groups, metadata and first rows of any Parquet file.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("artifact") { Description = "A path to a Parquet file, or stage.output (e.g. food_to_kitchen.stats_md)." };
        var columns = new Option<string?>("--columns") { Description = "Comma-separated columns to show." };
        var where = new Option<string[]>("--where") { Description = "Keep rows where column=value; also !=, <, <=, >, >= and 'column in a,b,c' (repeatable; all must hold)." };
        var limit = new Option<int>("--limit", "-n") { Description = "Rows to show.", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print JSON (summary and rows, with numbers and lists as JSON numbers and arrays)." };
        var csv = new Option<bool>("--csv") { Description = "Print the selected rows as CSV." };
        var vertical = new Option<bool>("--vertical", "-x") { Description = "One block per row (column: value); the default when the columns do not fit the terminal." };
        var command = new Command("inspect", "Look inside an artifact: schema, row groups, metadata, first rows.") { target, columns, where, limit, json, csv, vertical };
        command.SetAction((parse, ct) => GlobalOptions.Guard(async () =>
        {
            var path = Resolve(parse, parse.GetValue(target)!);
            if (File.Exists(path) && !path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) && !LooksLikeParquet(path))
            {
                Console.Write(await File.ReadAllTextAsync(path, ct));
                return ExitCodes.Success;
            }
            var filters = (parse.GetValue(where) ?? []).Select(RowFilter.Parse).ToList();
            var cols = parse.GetValue(columns)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var n = parse.GetValue(limit);
            if (n < 0) throw new ArgumentException("--limit must be >= 0");
            var summary = await ParquetInspector.SummarizeAsync(path, ct);
            var (shown, rows) = await ParquetInspector.ReadRowsAsync(path, cols, filters, n, ct);
            if (parse.GetValue(csv)) { WriteCsv(shown, rows); return ExitCodes.Success; }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    path = summary.Path, parts = summary.Parts, file_size = summary.FileSize, rows = summary.Rows,
                    columns = summary.Columns.Select(c => new { name = c.Name, type = c.Type, nullable = c.Nullable }),
                    row_groups = summary.RowGroups.Select(g => new { index = g.Index, rows = g.Rows }),
                    metadata = summary.Metadata, first_rows = rows,
                }, JsonOptions));
                return ExitCodes.Success;
            }
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(summary.Path)}[/]: {summary.Rows:N0} rows, {summary.RowGroups.Count} row group(s), {summary.FileSize:N0} bytes");
            if (summary.Parts.Count > 1 || Directory.Exists(path))
                AnsiConsole.MarkupLine("parts: " + Markup.Escape(string.Join(", ", summary.Parts.Select(p => Path.GetRelativePath(path, p)))));
            var schema = new Table().Title("schema").AddColumns("column", "type", "nullable");
            foreach (var c in summary.Columns) schema.AddRow(Markup.Escape(c.Name), Markup.Escape(c.Type), c.Nullable ? "yes" : "no");
            AnsiConsole.Write(schema);
            if (summary.Metadata.Count > 0)
            {
                var meta = new Table().Title("key-value metadata").AddColumns("key", "value");
                foreach (var (k, v) in summary.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) meta.AddRow(Markup.Escape(k), Markup.Escape(v));
                AnsiConsole.Write(meta);
            }
            if (summary.RowGroups.Count > 1)
                AnsiConsole.MarkupLine("row groups: " + string.Join(", ", summary.RowGroups.Select(g => $"#{g.Index}: {g.Rows:N0}")));
            var title = filters.Count > 0 ? $"first {rows.Count} matching rows" : $"first {rows.Count} rows";
            var cells = rows.Select(r => shown.Select(c => Truncate(ParquetInspector.Show(r[c]) ?? "null")).ToArray()).ToList();
            if (parse.GetValue(vertical) || !Fits(shown, cells, AnsiConsole.Profile.Width)) WriteVertical(title, shown, cells);
            else
            {
                var data = new Table().Title(title);
                foreach (var c in shown) data.AddColumn(Markup.Escape(c));
                foreach (var r in cells) data.AddRow(r.Select(Markup.Escape).ToArray());
                AnsiConsole.Write(data);
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Whether a table of these cells fits: each column as wide as its widest cell, plus Spectre's borders and padding.</summary>
    private static bool Fits(IReadOnlyList<string> columns, List<string[]> cells, int width)
    {
        var total = 1;
        for (int i = 0; i < columns.Count; i++)
            total += Math.Max(columns[i].Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length)) + 3;
        return total <= width;
    }

    /// <summary>psql's expanded view: a block per row, one line per column, so a wide row reads on 80 columns.</summary>
    private static void WriteVertical(string title, IReadOnlyList<string> columns, List<string[]> cells)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(title)}[/] (one block per row)");
        var nameWidth = columns.Max(c => c.Length);
        for (int r = 0; r < cells.Count; r++)
        {
            AnsiConsole.WriteLine($"-[ row {r + 1} ]" + new string('-', Math.Max(0, Math.Min(AnsiConsole.Profile.Width, 80) - 12 - (r + 1).ToString().Length)));
            for (int i = 0; i < columns.Count; i++) AnsiConsole.WriteLine($"{columns[i].PadRight(nameWidth)} | {cells[r][i]}");
        }
    }

    /// <summary>A path as given, or stage.output looked up in the pipeline.</summary>
    private static string Resolve(ParseResult parse, string target)
    {
        if (File.Exists(target) || Directory.Exists(target)) return target;
        var dot = target.IndexOf('.');
        if (dot > 0 && !target.Contains('/'))
        {
            var pipeline = GlobalOptions.Load(parse);
            if (pipeline.Find(target[..dot]) is { } stage)
            {
                if (!stage.Outputs.TryGetValue(target[(dot + 1)..], out var output))
                    throw new ArgumentException($"stage '{stage.Name}' has no output '{target[(dot + 1)..]}'; it writes: {string.Join(", ", stage.Outputs.Keys)}");
                if (!File.Exists(output.Path) && !Directory.Exists(output.Path)) throw new ArgumentException($"{pipeline.Relative(output.Path)} does not exist yet; run {stage.Name} first");
                return output.Path;
            }
        }
        if (dot > 0 && !target.Contains('/'))
        {
            var pipeline = GlobalOptions.Load(parse);
            var ofKind = pipeline.Stages.Where(s => s.Kind.Name == target[..dot]).Select(s => s.Name).ToList();
            if (ofKind.Count > 0)
                throw new ArgumentException($"'{target[..dot]}' is a stage kind, not a stage; its stages: {string.Join(", ", ofKind)} (for example: inspect {ofKind[0]}{target[dot..]})");
        }
        throw new ArgumentException($"'{target}' is neither a file nor a stage.output of the pipeline");
    }

    private static bool LooksLikeParquet(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        return f.Read(magic) == 4 && magic.SequenceEqual("PAR1"u8);
    }

    private static string Truncate(string s) => s.Length > 80 ? s[..77] + "..." : s;

    private static void WriteCsv(IReadOnlyList<string> columns, List<Dictionary<string, object?>> rows)
    {
        static string Quote(string? v) => v is null ? "" : v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", columns.Select(Quote)));
        foreach (var r in rows) sb.AppendLine(string.Join(",", columns.Select(c => Quote(ParquetInspector.Show(r[c])))));
        Console.Write(sb.ToString());
    }
}
