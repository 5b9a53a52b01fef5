using System.Net;
using System.Security.Cryptography;
using CrossDomain.Engine.Stages;
using Polly;
using Polly.Retry;

namespace CrossDomain.Stages.Download;

/// <summary>
/// download: fetches files by URL into a data folder. Each file is an output written in place (it is large and
/// must survive an interrupted run): bytes go to <c>.partial/NAME.part</c>, an interrupted transfer resumes with
/// an HTTP Range request, failures are retried with exponential back-off (Polly), the checksum is verified when
/// given, and only then is the file renamed to its final name. Files already present (and matching their
/// checksum) are not fetched again.
/// </summary>
public sealed class DownloadStage : StageKind<DownloadParams>
{
    public override string Name => "download";
    public override int Version => 1;
    public override string Description => "Fetch files over HTTP with resume, retries and checksum verification.";

    public override IReadOnlyList<OutputSpec> Outputs(DownloadParams p) =>
        p.Files.Select(f => new OutputSpec(f.FileName, f.FileName, WrittenInPlace: true, DefaultPath: Path.Combine(p.Dest, f.FileName))).ToList();

    public override async Task RunAsync(StageContext ctx, DownloadParams p, CancellationToken ct)
    {
        // No automatic decompression: a .gz file must arrive byte for byte (checksums, Range offsets).
        using var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { Timeout = Timeout.InfiniteTimeSpan };
        foreach (var file in p.Files)
        {
            var final = ctx.Output(file.FileName);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            if (File.Exists(final))
            {
                var problem = VerifyChecksum(final, file);
                if (problem is null) { ctx.Progress.Info($"{file.FileName}: present, not downloaded again"); continue; }
                ctx.Progress.Warn($"{file.FileName}: present but {problem}; downloading again");
                File.Delete(final);
            }
            var partial = Path.Combine(Path.GetDirectoryName(final)!, ".partial", file.FileName + ".part");
            Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
            var retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<IOException>().Handle<TransientDownloadException>()
                    .Handle<OperationCanceledException>(_ => !ct.IsCancellationRequested),
                MaxRetryAttempts = p.Retries - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(p.BackoffSeconds),
                OnRetry = a =>
                {
                    ctx.Progress.Warn($"{file.FileName}: attempt {a.AttemptNumber + 1} failed ({a.Outcome.Exception?.Message}); retrying in {a.RetryDelay.TotalSeconds:F1} s");
                    return default;
                },
            }).Build();
            try
            {
                await retry.ExecuteAsync(async token => await FetchAsync(http, file, partial, p.TimeoutSeconds, ctx, token), ct);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TransientDownloadException)
            {
                throw new StageException($"{file.Url}: download failed after {p.Retries} attempts ({e.Message}); {new FileInfo(partial).Length:N0} bytes kept in {partial} for the next run to resume", e);
            }
            var mismatch = VerifyChecksum(partial, file);
            if (mismatch is not null)
            {
                File.Delete(partial);
                throw new StageException($"{file.Url}: {mismatch}; the partial file was deleted");
            }
            File.Move(partial, final, overwrite: true);
            ctx.Progress.Info($"{file.FileName}: {new FileInfo(final).Length:N0} bytes");
        }
    }

    private static async Task FetchAsync(HttpClient http, RemoteFile file, string partial, double timeoutSeconds, StageContext ctx, CancellationToken ct)
    {
        var offset = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, file.Url);
        if (offset > 0) request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(offset, null);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && offset > 0)
        {
            // The partial file already holds every byte (an earlier run stopped before the rename).
            var total = response.Content.Headers.ContentRange?.Length;
            if (total is null || total == offset) return;
            File.Delete(partial);
            throw new TransientDownloadException($"server rejected range {offset}- (file is {total} bytes); restarting");
        }
        if ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
            throw new TransientDownloadException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        if (!response.IsSuccessStatusCode)
            throw new StageException($"{file.Url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        var append = offset > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        if (!append) offset = 0; // server ignored the range: start over
        var length = response.Content.Headers.ContentLength is { } l ? l + offset : (long?)null;
        using var task = ctx.Progress.Start(file.FileName, length);
        task.Increment(offset);
        await using var output = new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        await using var input = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
            stall.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
            int n;
            try { n = await input.ReadAsync(buffer, stall.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TransientDownloadException($"no data for {timeoutSeconds} s");
            }
            if (n == 0) break;
            await output.WriteAsync(buffer.AsMemory(0, n), ct);
            task.Increment(n);
        }
        await output.FlushAsync(ct);
        if (length is not null && output.Length != length)
            throw new TransientDownloadException($"connection closed after {output.Length:N0} of {length:N0} bytes");
    }

    /// <summary>Null when the file matches the configured checksums (or none is configured).</summary>
    public static string? VerifyChecksum(string path, RemoteFile file)
    {
        if (!string.IsNullOrEmpty(file.Sha256))
        {
            using var s = File.OpenRead(path);
            var actual = Convert.ToHexStringLower(SHA256.HashData(s));
            if (!actual.Equals(file.Sha256, StringComparison.OrdinalIgnoreCase)) return $"SHA-256 mismatch (expected {file.Sha256}, got {actual})";
        }
        if (!string.IsNullOrEmpty(file.Md5))
        {
            using var s = File.OpenRead(path);
            var actual = Convert.ToHexStringLower(MD5.HashData(s));
            if (!actual.Equals(file.Md5, StringComparison.OrdinalIgnoreCase)) return $"MD5 mismatch (expected {file.Md5}, got {actual})";
        }
        return null;
    }
}

/// <summary>A failure worth retrying (server error, stalled or cut connection).</summary>
public sealed class TransientDownloadException(string message) : Exception(message);
