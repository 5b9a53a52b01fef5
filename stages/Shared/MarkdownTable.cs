using System.Text;

namespace CrossDomain.Stages.Shared;

/// <summary>
/// A GitHub-flavoured Markdown table: the header, its alignment row (numbers right-aligned) and one line per row,
/// an empty cell as "| |", any pipe inside a cell escaped. Every table of the generated pages (results,
/// dataset statistics, paired differences, the export's index) is written by this one class.
/// </summary>
public sealed class MarkdownTable
{
    public readonly record struct Column(string Header, bool Numeric);

    /// <summary>A left-aligned column.</summary>
    public static Column Text(string header) => new(header, false);

    /// <summary>A right-aligned column.</summary>
    public static Column Number(string header) => new(header, true);

    private readonly IReadOnlyList<Column> _columns;
    private readonly List<IReadOnlyList<string>> _rows = [];

    public MarkdownTable(IEnumerable<Column> columns) => _columns = columns.ToList();

    public MarkdownTable(params Column[] columns) : this((IEnumerable<Column>)columns) { }

    public int Count => _rows.Count;

    public MarkdownTable Add(IEnumerable<string> cells)
    {
        var row = cells.ToList();
        if (row.Count != _columns.Count)
            throw new ArgumentException($"a row of {row.Count} cells for a table of {_columns.Count} columns ({string.Join(", ", _columns.Select(c => c.Header))})");
        _rows.Add(row);
        return this;
    }

    public MarkdownTable Add(params string[] cells) => Add((IEnumerable<string>)cells);

    /// <summary>The table's lines, each ended by a newline.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Line(sb, _columns.Select(c => c.Header));
        Line(sb, _columns.Select(c => c.Numeric ? "---:" : "---"));
        foreach (var row in _rows) Line(sb, row);
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, IEnumerable<string> cells)
    {
        sb.Append('|');
        foreach (var cell in cells) sb.Append(cell.Length == 0 ? " |" : $" {cell.Replace("|", "\\|")} |");
        sb.Append('\n');
    }
}
