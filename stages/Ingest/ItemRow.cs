namespace CrossDomain.Stages.Ingest;

/// <summary>
/// One row of the <c>items</c> artifact. Every field but the id and domain is optional because every release
/// lacks some of them (the shared 2014 subset has only asin, title and categories).
/// </summary>
public sealed class ItemRow
{
    public string Item { get; set; } = "";
    public string Domain { get; set; } = "";
    public string? Title { get; set; }
    /// <summary>Category paths, each joined with " > " (2014 has several paths, 2018/2023 one flat list).</summary>
    public List<string> Categories { get; set; } = [];
    public string? Brand { get; set; }
    public string? Description { get; set; }
    public double? Price { get; set; }
    public string? ImageUrl { get; set; }
    public string? MainCategory { get; set; }
    /// <summary>Which release format the row came from.</summary>
    public string SourceFormat { get; set; } = "";
    /// <summary>Every other field of the source record, as JSON (salesRank, related, details, ...).</summary>
    public string? Extra { get; set; }
}
