namespace CrossDomain.Stages.Ingest;

public sealed record BadLine(long Line, string Error);

public sealed class FileReport
{
    public string Path { get; set; } = "";
    public string Domain { get; set; } = "";
    public string Format { get; set; } = "";
    public bool Gzip { get; set; }
    public long Lines { get; set; }
    public long BlankLines { get; set; }
    public long Records { get; set; }
    public long BadLines { get; set; }
    public long Duplicates { get; set; }
    public List<BadLine> FirstBadLines { get; set; } = [];
}

public sealed class DomainReport
{
    public string Domain { get; set; } = "";
    public long Interactions { get; set; }
    public long DuplicateInteractions { get; set; }
    public int Users { get; set; }
    public int ItemsWithInteractions { get; set; }
    public int ItemsWithMetadata { get; set; }
    public long DuplicateMetadata { get; set; }
    public int ItemsWithoutMetadata { get; set; }
    public long InteractionsWithoutRating { get; set; }
}

public sealed class IngestReport
{
    public bool Synthetic { get; set; }
    public List<FileReport> Files { get; set; } = [];
    public List<DomainReport> Domains { get; set; } = [];
    public int DistinctUsers { get; set; }
    public int OverlappingUsers { get; set; }
}
