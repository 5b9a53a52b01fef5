using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Ingest;

/// <summary>
/// ingest: raw Amazon files of every release → <c>interactions</c> (user, item, domain, timestamp in seconds,
/// rating) and <c>items</c> (metadata) Parquet tables, plus a JSON report of what was read, skipped and why.
/// Domains are read in parallel, each file streamed line by line.
/// </summary>
public sealed class IngestStage : StageKind<IngestParams>
{
    public override string Name => "ingest";
    public override int Version => 5;
    public override string Description => "Raw Amazon reviews/ratings/metadata (2014, 2018, 2023; plain or gzip) to interactions and items tables.";

    public override IReadOnlyDictionary<string, IReadOnlyCollection<string>> Facts(IngestParams p) => Shared.DomainFacts.Declare(p.Domains.Keys);

    public override IReadOnlyList<OutputSpec> Outputs(IngestParams p) =>
    [
        // One Parquet part per domain (interactions/<domain>.parquet): domains are parsed and written in parallel,
        // and pandas, DuckDB and Spark read the folder as one table.
        new("interactions", "interactions", IsDirectory: true),
        new("items", "items", IsDirectory: true), // items/<domain>.parquet, likewise
        new("report", "report.json"),
    ];

    public override async Task RunAsync(StageContext ctx, IngestParams p, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var files = p.Domains.ToDictionary(d => d.Key, d => d.Value.Files.Select(ctx.Resolve).ToList());
        var report = new IngestReport
        {
            // Synthetic data announces itself with a manifest beside its files; the label follows it downstream.
            Synthetic = files.Values.SelectMany(f => f).Any(f => File.Exists(Path.Combine(Path.GetDirectoryName(f)!, Synthesize.SynthesizeStage.ManifestName))),
        };
        var metadata = ctx.ArtifactMetadata.ToDictionary();
        if (report.Synthetic) metadata["crossdomain.synthetic"] = "true";
        var partsDir = ctx.Output("interactions");
        var itemsDir = ctx.Output("items");
        Directory.CreateDirectory(partsDir);
        Directory.CreateDirectory(itemsDir);
        var readers = files.Select(d => new DomainReader(d.Key, d.Value, p, ctx.Progress)).ToList();
        // One thread per domain: each decompresses, parses and writes its own part.
        await Task.WhenAll(readers.Select(r => Task.Factory.StartNew(async () =>
        {
            r.Read(ct);
            ctx.Progress.Verbose($"{r.Domain}: parsed at {clock.Elapsed.TotalSeconds:F1} s");
            await InteractionsWriter.WriteAsync(Path.Combine(partsDir, $"{r.Domain}.parquet"), r.Interactions, metadata, ct);
            await Engine.Artifacts.ParquetArtifact.WriteAsync(r.Items, Path.Combine(itemsDir, $"{r.Domain}.parquet"), metadata, ct);
            ctx.Progress.Verbose($"{r.Domain}: written at {clock.Elapsed.TotalSeconds:F1} s");
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()));
        foreach (var r in readers) report.Files.AddRange(r.FileReports);

        var userDomains = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in readers)
        {
            var inter = r.Interactions;
            var usedUsers = new bool[inter.UserNames.Count];
            var usedItems = new bool[inter.ItemNames.Count];
            long noRating = 0;
            for (int k = 0; k < inter.Count; k++)
            {
                usedUsers[inter.User[k]] = true;
                usedItems[inter.Item[k]] = true;
                if (float.IsNaN(inter.Rating[k])) noRating++;
            }
            for (int u = 0; u < usedUsers.Length; u++)
                if (usedUsers[u]) userDomains[inter.UserNames[u]] = userDomains.GetValueOrDefault(inter.UserNames[u]) + 1;
            var metaIds = r.Items.Select(i => i.Item).ToHashSet(StringComparer.Ordinal);
            report.Domains.Add(new DomainReport
            {
                Domain = r.Domain, Interactions = inter.Count, DuplicateInteractions = inter.Duplicates,
                Users = usedUsers.Count(x => x), ItemsWithInteractions = usedItems.Count(x => x),
                ItemsWithMetadata = r.Items.Count, DuplicateMetadata = r.DuplicateMetadata,
                ItemsWithoutMetadata = Enumerable.Range(0, usedItems.Length).Count(i => usedItems[i] && !metaIds.Contains(inter.ItemNames[i])),
                InteractionsWithoutRating = noRating,
            });
        }
        report.DistinctUsers = userDomains.Count;
        report.OverlappingUsers = userDomains.Count(kv => kv.Value == readers.Count && readers.Count > 1);
        await File.WriteAllTextAsync(ctx.Output("report"), JsonSerializer.Serialize(report, ReportJson.Options), ct);
        // Timing goes to the log and the lock, not the report, so that the report's bytes depend on the input only.
        ctx.Progress.Info($"read {report.Domains.Sum(d => d.Interactions):N0} interactions in {clock.Elapsed.TotalSeconds:F1} s ({report.Domains.Sum(d => d.Interactions) / Math.Max(1e-9, clock.Elapsed.TotalSeconds):N0}/s)");
        foreach (var d in report.Domains)
            ctx.Progress.Info($"{d.Domain}: {d.Interactions:N0} interactions ({d.DuplicateInteractions:N0} duplicates removed), {d.Users:N0} users, " +
                              $"{d.ItemsWithInteractions:N0} items, {d.ItemsWithMetadata:N0} with metadata ({d.DuplicateMetadata:N0} repeated metadata lines)");
    }

    /// <summary>Reads every file of one domain.</summary>
    private sealed class DomainReader(string domain, List<string> files, IngestParams p, Engine.Progress.IProgressSink progress)
    {
        public string Domain => domain;
        public DomainInteractions Interactions { get; } = new(domain);
        public List<ItemRow> Items { get; } = [];
        public long DuplicateMetadata { get; private set; }
        public List<FileReport> FileReports { get; } = [];
        private readonly HashSet<string> _itemIds = new(StringComparer.Ordinal);

        public void Read(CancellationToken ct)
        {
            foreach (var file in files) ReadFile(file, ct);
            Interactions.Seal();
            // Duplicates are known once every file of the domain is read; attribute them to their files.
            var interactionFiles = FileReports.Where(f => Enum.Parse<RawFormat>(f.Format).IsInteractions()).ToList();
            for (int k = 0; k < interactionFiles.Count; k++)
            {
                interactionFiles[k].Duplicates = Interactions.DuplicatesPerFile[k];
            }
        }

        private void ReadFile(string path, CancellationToken ct)
        {
            if (!File.Exists(path)) throw new StageException($"{path}: file not found (domain {domain})");
            var format = FormatDetector.Detect(path);
            using var reader = new RawLineReader(path);
            var report = new FileReport { Path = path, Domain = domain, Format = format.ToString(), Gzip = reader.IsGzip };
            FileReports.Add(report);
            if (format == RawFormat.Unknown)
            {
                if (new FileInfo(path).Length == 0) throw new StageException($"{path}: file is empty");
                throw new StageException($"{path}: unknown format: the first {FormatDetector.SampleLines} lines are not Amazon reviews, ratings CSV or metadata of the 2014, 2018 or 2023 releases");
            }
            using var task = progress.Start($"{domain}: {Path.GetFileName(path)}", reader.CompressedLength);
            var parser = new ReviewLineParser();
            var strict = new UTF8Encoding(false, true);
            long lastPos = 0;
            if (format.IsInteractions()) Interactions.StartFile();
            while (reader.TryReadLine(out var line))
            {
                if ((reader.LineNumber & 0xFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    var pos = reader.CompressedPosition;
                    task.Increment(pos - lastPos);
                    lastPos = pos;
                }
                if (line.IsEmpty || line.Trim((byte)' ').IsEmpty) { report.BlankLines++; continue; }
                string? error;
                if (format.IsInteractions())
                {
                    error = parser.TryParse(line, format, out var x);
                    if (error is null)
                    {
                        try { Interactions.Add(x.User, x.Item, x.Timestamp, x.Rating); }
                        catch (DecoderFallbackException) { error = "invalid UTF-8 in user or item id"; }
                    }
                }
                else error = ReadMetadata(line, format, strict);
                if (error is null) { report.Records++; continue; }
                report.BadLines++;
                if (report.FirstBadLines.Count < p.ReportBadLines) report.FirstBadLines.Add(new BadLine(reader.LineNumber, error));
            }
            task.Increment(reader.CompressedLength - lastPos);
            report.Lines = reader.LineNumber;
            if (report.Lines - report.BlankLines == 0) throw new StageException($"{path}: file has no records");
            foreach (var bad in report.FirstBadLines) progress.Warn($"{path}:{bad.Line}: skipped malformed line: {bad.Error}");
            var fraction = (double)report.BadLines / (report.Lines - report.BlankLines);
            if (fraction > p.MaxBadLineFraction)
                throw new StageException($"{path}: {report.BadLines:N0} of {report.Lines - report.BlankLines:N0} lines are malformed ({fraction:P2} > max_bad_line_fraction {p.MaxBadLineFraction}); first at line {report.FirstBadLines.FirstOrDefault()?.Line}: {report.FirstBadLines.FirstOrDefault()?.Error}");
        }

        private string? ReadMetadata(ReadOnlySpan<byte> line, RawFormat format, UTF8Encoding strict)
        {
            string text;
            try { text = strict.GetString(line); }
            catch (DecoderFallbackException) { return "invalid UTF-8"; }
            object? value;
            try { value = PythonLiteralParser.Parse(text); }
            catch (FormatException e) { return (format == RawFormat.Meta2014 ? "invalid Python literal: " : "invalid JSON: ") + e.Message; }
            if (value is not Dictionary<string, object?> record) return "not a dict/object";
            var row = MetadataMapper.Map(record, format, domain, out var error);
            if (row is null) return error;
            if (!_itemIds.Add(row.Item)) { DuplicateMetadata++; FileReports[^1].Duplicates++; return null; }
            Items.Add(row);
            return null;
        }
    }
}
