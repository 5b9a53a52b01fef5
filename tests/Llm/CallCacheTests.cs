using CrossDomain.Engine.Artifacts;
using CrossDomain.Providers.Caching;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Llm;

/// <summary>The per-call cache: durable per answer, safe with several writers, compacted into an inspectable table.</summary>
public sealed class CallCacheTests
{
    private static CachedCall Call(string key, string response = "r") => new() { Key = key, Task = "t", Subject = key, Response = response, CreatedUtc = DateTime.UtcNow };

    [Fact]
    public async Task Answers_are_on_disk_before_add_returns_and_a_torn_last_line_is_ignored()
    {
        using var dir = new TempDir();
        var cache = await CallCache.OpenAsync(dir.Path);
        cache.Add(Call("a"));
        cache.Add(Call("b"));
        // Another reader sees both without the writer closing (as after a SIGKILL).
        using (var reader = await CallCache.OpenAsync(dir.Path)) Assert.Equal(2, reader.Count);
        var segment = Directory.GetFiles(Path.Combine(dir.Path, "segments")).Single();
        cache.Dispose();
        File.AppendAllText(segment, "{\"key\":\"c\",\"resp"); // killed mid-write
        using var reopened = await CallCache.OpenAsync(dir.Path);
        Assert.Equal(2, reopened.Count);
        Assert.Equal(1, reopened.TornLines);
    }

    [Fact]
    public async Task Concurrent_writers_keep_every_answer_and_compaction_skips_a_live_segment()
    {
        using var dir = new TempDir();
        var one = await CallCache.OpenAsync(dir.Path);
        var two = await CallCache.OpenAsync(dir.Path);
        await Task.WhenAll(
            Task.Run(() => { for (int i = 0; i < 500; i++) one.Add(Call($"one-{i}")); }),
            Task.Run(() => { for (int i = 0; i < 500; i++) two.Add(Call($"two-{i}")); }));
        await one.CompactAsync(); // merges its own closed segment; two's segment is held and stays
        Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, "segments")));
        var table = await ParquetArtifact.ReadAsync<CachedCall>(Path.Combine(dir.Path, CallCache.TableName));
        Assert.Equal(500, table.Count);
        using (var mid = await CallCache.OpenAsync(dir.Path)) Assert.Equal(1000, mid.Count);
        await two.CompactAsync();
        one.Dispose();
        two.Dispose();
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "segments")));
        using var all = await CallCache.OpenAsync(dir.Path);
        Assert.Equal(1000, all.Count);
        Assert.True(all.TryGet("two-499", out var c));
        Assert.Equal("r", c.Response);
    }

    [Fact]
    public void Keys_depend_on_every_part_and_their_boundaries()
    {
        Assert.NotEqual(CallCache.Key("ab", "c"), CallCache.Key("a", "bc"));
        Assert.Equal(CallCache.Key("a", "b"), CallCache.Key("a", "b"));
        Assert.Equal(32, CallCache.Key("x").Length);
    }
}
