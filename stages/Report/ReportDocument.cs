namespace CrossDomain.Stages.Report;

/// <summary>
/// What the report says, independent of its format: sections of paragraphs, tables and figures. The HTML and
/// Markdown templates render the same document.
/// </summary>
public sealed class ReportDocument
{
    public required string Title { get; init; }
    public List<string> Notes { get; } = [];
    public List<ReportSection> Sections { get; } = [];
}

public sealed class ReportSection(string heading, string anchor)
{
    public string Heading { get; } = heading;
    public string Anchor { get; } = anchor;
    public List<ReportBlock> Blocks { get; } = [];

    public ReportSection Paragraph(string text) { Blocks.Add(new ReportBlock { Text = text }); return this; }
    public ReportSection Subheading(string text) { Blocks.Add(new ReportBlock { Subheading = text }); return this; }
    public ReportSection Add(ReportTable table) { Blocks.Add(new ReportBlock { Table = table }); return this; }
    public ReportSection Add(ReportFigure figure) { Blocks.Add(new ReportBlock { Figure = figure }); return this; }
}

/// <summary>One block: exactly one of its members is set (the templates test which).</summary>
public sealed class ReportBlock
{
    public string? Text { get; init; }
    public string? Subheading { get; init; }
    public ReportTable? Table { get; init; }
    public ReportFigure? Figure { get; init; }
}

public sealed class ReportTable
{
    public string? Caption { get; init; }
    public required List<string> Headers { get; init; }
    public List<List<ReportCell>> Rows { get; } = [];
    /// <summary>Columns (by index) whose cells are numbers, right-aligned.</summary>
    public HashSet<int> Numeric { get; init; } = [];
    public string? Note { get; set; }

    /// <summary>Markdown's alignment row: "---" or "---:" per column.</summary>
    public List<string> Alignments => Headers.Select((_, i) => Numeric.Contains(i) ? "---:" : "---").ToList();

    public ReportTable Row(params ReportCell[] cells) { Rows.Add([.. cells]); return this; }

    /// <summary>Marks every cell of a numeric column.</summary>
    public void MarkNumeric()
    {
        foreach (var row in Rows)
            for (int i = 0; i < row.Count; i++) row[i].Numeric = Numeric.Contains(i);
    }
    public ReportTable Row(IEnumerable<string> cells) { Rows.Add(cells.Select(c => new ReportCell(c)).ToList()); return this; }
}

public sealed class ReportCell(string text, bool bold = false, bool underline = false)
{
    public string Text { get; } = text;
    public bool Bold { get; set; } = bold;
    public bool Underline { get; set; } = underline;
    /// <summary>Set from the table's numeric columns before rendering (right-aligned in HTML).</summary>
    public bool Numeric { get; set; }
    public static implicit operator ReportCell(string text) => new(text);
}

public sealed class ReportFigure
{
    /// <summary>File name under figures/.</summary>
    public required string File { get; init; }
    public required string Caption { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    /// <summary>The PNG as base64, for the self-contained HTML.</summary>
    public required string Base64 { get; init; }
}
