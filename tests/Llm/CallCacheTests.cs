using CrossDomain.Engine.Artifacts;
using CrossDomain.Providers.Caching;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Llm;

/// <summary>The per-call cache: durable per answer, safe with several writers, exported into an inspectable table, importing its earlier format.</summary>
public sealed class CallCacheTests
{
    private static CachedCall Call(string key, string response = "r") => new() { Key = key, Task = "t", Subject = key, Response = response, CreatedUtc = DateTime.UtcNow };

    [Fact]
    public async Task Answers_are_committed_before_add_returns_and_another_process_reads_them_without_a_close()
    {
        using var dir = new TempDir();
        var cache = await CallCache.OpenAsync(dir.Path);
        cache.Add(Call("a"));
        cache.Add(Call("b"));
        // Another reader sees both without the writer closing (as after a SIGKILL: a commit is in the write-ahead log).
        using (var reader = await CallCache.OpenAsync(dir.Path)) Assert.Equal(2, reader.Count);
        Assert.True(File.Exists(Path.Combine(dir.Path, CallCache.DatabaseName)));
        cache.Dispose();
    }

    [Fact]
    public async Task Concurrent_writers_keep_every_answer_and_compaction_exports_every_row_for_inspect()
    {
        using var dir = new TempDir();
        var one = await CallCache.OpenAsync(dir.Path);
        var two = await CallCache.OpenAsync(dir.Path);
        await Task.WhenAll(
            Task.Run(() => { for (int i = 0; i < 500; i++) one.Add(Call($"one-{i}")); }),
            Task.Run(() => { for (int i = 0; i < 500; i++) two.Add(Call($"two-{i}")); }));
        await one.CompactAsync(); // the other writer still open: its rows are in the database and in the export
        var table = await ParquetArtifact.ReadAsync<CachedCall>(Path.Combine(dir.Path, CallCache.TableName));
        Assert.Equal(1000, table.Count);
        Assert.Equal("one-0", table.First(c => c.Key.StartsWith("one")).Subject);
        one.Dispose();
        two.Dispose();
        using var all = await CallCache.OpenAsync(dir.Path);
        Assert.Equal(1000, all.Count);
        Assert.True(all.TryGet("two-499", out var c));
        Assert.Equal("r", c.Response);
    }

    [Fact]
    public async Task A_folder_of_the_segment_format_is_imported_nothing_lost_and_its_segments_removed()
    {
        using var dir = new TempDir();
        // The earlier format: a compacted table and a segment (newer) holding a second answer for one of its keys,
        // its last line torn by a kill.
        await using (var stream = File.Create(Path.Combine(dir.Path, CallCache.TableName)))
            await Parquet.Serialization.ParquetSerializer.SerializeAsync(new[] { Call("old", "from table"), Call("both", "stale") }, stream);
        Directory.CreateDirectory(Path.Combine(dir.Path, "segments"));
        var segment = Path.Combine(dir.Path, "segments", "20260101-1-x.jsonl");
        File.WriteAllText(segment, System.Text.Json.JsonSerializer.Serialize(Call("new", "from segment")) + "\n"
            + System.Text.Json.JsonSerializer.Serialize(Call("both", "fresh")) + "\n" + "{\"key\":\"torn\",\"resp");
        using (var cache = await CallCache.OpenAsync(dir.Path))
        {
            Assert.Equal(3, cache.Count);
            Assert.True(cache.TryGet("old", out var old) && old.Response == "from table");
            Assert.True(cache.TryGet("new", out var added) && added.Response == "from segment");
            Assert.True(cache.TryGet("both", out var both) && both.Response == "fresh");
        }
        Assert.False(File.Exists(segment));
        using var again = await CallCache.OpenAsync(dir.Path); // imported once: the database alone now
        Assert.Equal(3, again.Count);
    }

    [Fact]
    public async Task As_an_IDistributedCache_it_stores_gets_and_removes_a_call_under_its_key()
    {
        using var dir = new TempDir();
        using var cache = await CallCache.OpenAsync(dir.Path);
        Microsoft.Extensions.Caching.Distributed.IDistributedCache distributed = cache;
        await distributed.SetAsync("k", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Call("ignored", "answer")), new());
        Assert.True(cache.TryGet("k", out var call) && call.Response == "answer");
        var bytes = await distributed.GetAsync("k");
        Assert.Equal("answer", System.Text.Json.JsonSerializer.Deserialize<CachedCall>(bytes!)!.Response);
        Assert.Null(await distributed.GetAsync("absent"));
        await distributed.RemoveAsync("k");
        Assert.Null(await distributed.GetAsync("k"));
        using var reopened = await CallCache.OpenAsync(dir.Path);
        Assert.Equal(0, reopened.Count);
    }

    [Fact]
    public void Keys_depend_on_every_part_and_their_boundaries()
    {
        Assert.NotEqual(CallKey.Of("ab", "c"), CallKey.Of("a", "bc"));
        Assert.Equal(CallKey.Of("a", "b"), CallKey.Of("a", "b"));
        Assert.Equal(32, CallKey.Of("x").Length);
    }
}
