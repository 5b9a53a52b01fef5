using CrossDomain.Engine.Artifacts;
using CrossDomain.Stages.Sequences;
using CrossDomain.Tests.Cli;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Data;

/// <summary>The export stage: its text and RecBole files read back to exactly the sequences they came from.</summary>
public class ExportTests
{
    [Fact]
    public async Task Exported_files_round_trip_to_the_same_target_sequences_with_validation_and_test_last()
    {
        using var dir = new TempDir();
        dir.File("pipeline.yaml", CliEndToEndTests.Yaml + "\n  export:\n    uses: export\n    deps: [seq]\n");
        var run = CliProcess.Run(dir.Path, "run", "all");
        Assert.True(run.Code == 0, run.Out + run.Err);
        var rows = (await ParquetArtifact.ReadAsync<SequenceRow>(Path.Combine(dir.Path, "out/seq/sequences.parquet"))).OrderBy(r => r.UserIdx).ToList();
        var index = (await ParquetArtifact.ReadAsync<ItemIndexRow>(Path.Combine(dir.Path, "out/seq/item_index.parquet"))).ToDictionary(i => i.ItemIdx);

        // item_map: exported number -> item_idx
        var map = File.ReadAllLines(Path.Combine(dir.Path, "out/export/item_map.tsv")).Skip(1).Select(l => l.Split('\t'))
            .ToDictionary(f => int.Parse(f[0]), f => int.Parse(f[1]));
        Assert.Equal(Enumerable.Range(1, map.Count), map.Keys.Order()); // contiguous from 1

        // SASRec.pytorch's format: "user item" lines, users 1.. in order, each user's items in time order.
        var byUser = File.ReadAllLines(Path.Combine(dir.Path, "out/export/sequences.txt")).Select(l => l.Split(' ').Select(int.Parse).ToArray())
            .GroupBy(x => x[0]).OrderBy(g => g.Key).Select(g => g.Select(x => map[x[1]]).ToArray()).ToList();
        Assert.Equal(rows.Count, byUser.Count);
        for (int u = 0; u < rows.Count; u++)
        {
            Assert.Equal(rows[u].TargetItems, byUser[u]);
            Assert.Equal([rows[u].ValidItem, rows[u].TestItem], byUser[u][^2..]); // the reference holds out these two
        }

        // RecBole's atomic file: original ids and timestamps, the same order.
        var inter = File.ReadAllLines(Path.Combine(dir.Path, "out/export/sequences.inter"));
        Assert.Equal("user_id:token\titem_id:token\ttimestamp:float", inter[0]);
        var expected = rows.SelectMany(r => r.TargetItems.Zip(r.TargetTimestamps, (i, t) => $"{r.User}\t{index[i].Item}\t{t}")).ToList();
        Assert.Equal(expected, inter.Skip(1));
    }
}
