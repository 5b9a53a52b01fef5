using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Ingest;

public sealed class DomainFiles
{
    [Param("Review, rating or metadata files of this domain, any release, plain or gzip; the format is read from the content.")]
    public List<InputPath> Files { get; set; } = [];
}

public sealed class IngestParams : IValidatableParams
{
    [Param("Domain name to its files. One ingest serves both directions of a pair.")]
    public Dictionary<string, DomainFiles> Domains { get; set; } = [];

    [Param("Fail when more than this fraction of a file's lines is malformed.", Min = 0, Max = 1)]
    public double MaxBadLineFraction { get; set; } = 0.001;

    [Param("How many malformed lines per file to quote in the report.", Min = 0)]
    public int ReportBadLines { get; set; } = 5;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Domains.Count == 0) yield return ("domains", "name at least one domain with its files");
        foreach (var (name, d) in Domains)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z0-9_-]+$"))
                yield return ($"domains.{name}", "domain names use letters, digits, '_' and '-' (they name files)");
            if (d.Files.Count == 0) yield return ($"domains.{name}.files", "list at least one file");
        }
        if (MaxBadLineFraction is < 0 or > 1) yield return ("max_bad_line_fraction", "must be between 0 and 1");
        if (ReportBadLines < 0) yield return ("report_bad_lines", "must be >= 0");
    }
}
