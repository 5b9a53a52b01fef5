using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CrossDomain.Engine.Progress;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Download;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Data;

/// <summary>The download stage against an HTTP server on 127.0.0.1 that honours Range and can misbehave.</summary>
public sealed class DownloadTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly byte[] _payload = RandomNumberGenerator.GetBytes(300_000);
    private readonly string _prefix;
    private int _requests, _rangeRequests;
    /// <summary>Send only this many bytes on the first response, then cut the connection.</summary>
    private int _cutFirstAfter = -1;
    private int _failFirst; // respond 503 this many times first
    private readonly CancellationTokenSource _stop = new();

    public DownloadTests()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _prefix = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(_prefix);
        _listener.Start();
        _ = Task.Run(Serve);
    }

    private async Task Serve()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); } catch { return; }
            var n = Interlocked.Increment(ref _requests);
            try
            {
                if (ctx.Request.Url!.AbsolutePath != "/data.bin") { ctx.Response.StatusCode = 404; ctx.Response.Close(); continue; }
                if (n <= _failFirst) { ctx.Response.StatusCode = 503; ctx.Response.Close(); continue; }
                var start = 0;
                var range = ctx.Request.Headers["Range"];
                if (range is not null && range.StartsWith("bytes=") && range.EndsWith('-'))
                {
                    Interlocked.Increment(ref _rangeRequests);
                    start = int.Parse(range[6..^1]);
                    if (start >= _payload.Length)
                    {
                        ctx.Response.StatusCode = 416;
                        ctx.Response.AddHeader("Content-Range", $"bytes */{_payload.Length}");
                        ctx.Response.Close();
                        continue;
                    }
                    ctx.Response.StatusCode = 206;
                    ctx.Response.AddHeader("Content-Range", $"bytes {start}-{_payload.Length - 1}/{_payload.Length}");
                }
                ctx.Response.ContentLength64 = _payload.Length - start;
                if (n == 1 && _cutFirstAfter >= 0)
                {
                    await ctx.Response.OutputStream.WriteAsync(_payload.AsMemory(0, _cutFirstAfter));
                    await ctx.Response.OutputStream.FlushAsync();
                    ctx.Response.Abort();
                    continue;
                }
                await ctx.Response.OutputStream.WriteAsync(_payload.AsMemory(start));
                ctx.Response.Close();
            }
            catch (HttpListenerException) { }
        }
    }

    private async Task<string> Download(TempDir dir, string? sha = null, string path = "data.bin", RecordingProgressSink? log = null)
    {
        var p = new DownloadParams
        {
            Dest = "data", BackoffSeconds = 0.01, Retries = 4,
            Files = [new RemoteFile { Url = _prefix + path, Name = "data.bin", Sha256 = sha }],
        };
        var outputs = await DirectStage.RunAsync(new DownloadStage(), p, Path.Combine(dir.Path, "out"), root: dir.Path, progress: log);
        return outputs["data.bin"];
    }

    [Fact]
    public async Task Downloads_and_verifies_the_checksum()
    {
        using var dir = new TempDir();
        var file = await Download(dir, Convert.ToHexStringLower(SHA256.HashData(_payload)));
        Assert.Equal(_payload, File.ReadAllBytes(file));
        Assert.Equal(Path.Combine(dir.Path, "data", "data.bin"), file);
    }

    [Fact]
    public async Task A_cut_connection_resumes_with_a_range_request()
    {
        _cutFirstAfter = 100_000;
        using var dir = new TempDir();
        var log = new RecordingProgressSink();
        var file = await Download(dir, log: log);
        Assert.Equal(_payload, File.ReadAllBytes(file));
        Assert.Equal(1, _rangeRequests);
        Assert.Contains(log.Lines, l => l.Contains("retrying"));
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff()
    {
        _failFirst = 2;
        using var dir = new TempDir();
        Assert.Equal(_payload, File.ReadAllBytes(await Download(dir)));
        Assert.Equal(3, _requests);
    }

    [Fact]
    public async Task Checksum_mismatch_and_http_404_fail_clearly()
    {
        using var dir = new TempDir();
        var e = await Assert.ThrowsAsync<StageException>(() => Download(dir, new string('0', 64)));
        Assert.Contains("SHA-256 mismatch", e.Message);
        Assert.False(File.Exists(Path.Combine(dir.Path, "data", "data.bin")));
        var before = _requests;
        var notFound = await Assert.ThrowsAsync<StageException>(() => Download(dir, path: "missing.bin"));
        Assert.Contains("HTTP 404", notFound.Message);
        Assert.Equal(before + 1, _requests); // a 404 is not retried
    }

    [Fact]
    public async Task Present_files_are_not_downloaded_again()
    {
        using var dir = new TempDir();
        dir.File("data/data.bin", "already here");
        var file = await Download(dir);
        Assert.Equal("already here", File.ReadAllText(file));
        Assert.Equal(0, _requests);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
    }
}
