using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Download;

public sealed class RemoteFile
{
    [Param("HTTP(S) address of the file.")]
    public string Url { get; set; } = "";

    [Param("File name in the destination folder (defaults to the last segment of the URL).")]
    public string? Name { get; set; }

    [Param("Expected SHA-256 (hex); verified after download when given.")]
    public string? Sha256 { get; set; }

    [Param("Expected MD5 (hex); verified after download when given.")]
    public string? Md5 { get; set; }

    public string FileName => string.IsNullOrEmpty(Name) ? Uri.UnescapeDataString(new Uri(Url).Segments[^1]) : Name;
}

public sealed class DownloadParams : IValidatableParams
{
    [Param("Folder (relative to the project root) that receives the files.")]
    public string Dest { get; set; } = "data/raw";

    [Param("Files to fetch.")]
    public List<RemoteFile> Files { get; set; } = [];

    [Param("Attempts per file before giving up (resuming where the last one stopped).", Min = 1)]
    public int Retries { get; set; } = 5;

    [Param("First back-off delay in seconds (doubles each attempt, with jitter).", Min = 0)]
    public double BackoffSeconds { get; set; } = 2;

    [Param("Timeout in seconds for a read that makes no progress.", Min = 0, MinExclusive = true)]
    public double TimeoutSeconds { get; set; } = 60;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Files.Count == 0) yield return ("files", "list at least one file (url, optional name, sha256 or md5)");
        for (int i = 0; i < Files.Count; i++)
        {
            if (!Uri.TryCreate(Files[i].Url, UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
                yield return ($"files[{i}].url", $"not an http(s) URL: '{Files[i].Url}'");
            else if (Files[i].FileName.Length == 0 || Files[i].FileName.Contains('/'))
                yield return ($"files[{i}].name", "cannot derive a file name from the URL; set name:");
        }
        var names = Files.Where(f => Uri.TryCreate(f.Url, UriKind.Absolute, out _)).GroupBy(f => f.FileName).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        foreach (var n in names) yield return ("files", $"two files would be saved as '{n}'");
        if (Retries < 1) yield return ("retries", "must be >= 1");
    }
}
