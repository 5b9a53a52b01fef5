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
        var target = new Argument<string>("artifact") { Description = "A path to a Parquet file, or stage.output (e.g. sequences.stats_md)." };
        var columns = new Option<string?>("--columns") { Description = "Comma-separated columns to show." };
        var where = new Option<string[]>("--where") { Description = "Keep rows where column=value (repeatable; all must hold)." };
        var limit = new Option<int>("--limit", "-n") { Description = "Rows to show.", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print JSON (summary and rows)." };
        var csv = new Option<bool>("--csv") { Description = "Print the selected rows as CSV." };
        var command = new Command("inspect", "Look inside an artifact: schema, row groups, metadata, first rows.") { target, columns, where, limit, json, csv };
        command.SetAction((parse, ct) => GlobalOptions.Guard(async () =>
        {
            var path = Resolve(parse, parse.GetValue(target)!);
            if (File.Exists(path) && !path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) && !LooksLikeParquet(path))
            {
                Console.Write(await File.ReadAllTextAsync(path, ct));
                return ExitCodes.Success;
            }
            var filters = (parse.GetValue(where) ?? []).Select(w =>
            {
                var eq = w.IndexOf('=');
                if (eq <= 0) throw new ArgumentException($"--where expects column=value, got '{w}'");
                return (w[..eq], w[(eq + 1)..]);
            }).ToList();
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
                }, new JsonSerializerOptions { WriteIndented = true }));
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
            var data = new Table().Title(filters.Count > 0 ? $"first {rows.Count} matching rows" : $"first {rows.Count} rows");
            foreach (var c in shown) data.AddColumn(Markup.Escape(c));
            foreach (var r in rows) data.AddRow(shown.Select(c => Markup.Escape(Truncate(r[c] ?? "null"))).ToArray());
            AnsiConsole.Write(data);
            return ExitCodes.Success;
        }));
        return command;
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
        throw new ArgumentException($"'{target}' is neither a file nor a stage.output of the pipeline");
    }

    private static bool LooksLikeParquet(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        return f.Read(magic) == 4 && magic.SequenceEqual("PAR1"u8);
    }

    private static string Truncate(string s) => s.Length > 80 ? s[..77] + "..." : s;

    private static void WriteCsv(IReadOnlyList<string> columns, List<Dictionary<string, string?>> rows)
    {
        static string Quote(string? v) => v is null ? "" : v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", columns.Select(Quote)));
        foreach (var r in rows) sb.AppendLine(string.Join(",", columns.Select(c => Quote(r[c]))));
        Console.Write(sb.ToString());
    }
}
