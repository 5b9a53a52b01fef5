using System.Globalization;
using System.Text;
using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Sequences;

namespace CrossDomain.Stages.Export;

/// <summary>
/// export: a sequences artifact in the plain formats peers' code reads, so that a reference implementation runs on
/// exactly this split.
/// <list type="bullet">
/// <item><c>sequences.txt</c>: one <c>user item</c> pair per line, each user's items in time order, users and items
/// numbered 1.. contiguously (the <c>data/*.txt</c> of pmixer/SASRec.pytorch, whose loader holds out the last two
/// items of each user: here the validation and the test item, as the sequences stage chose them).</item>
/// <item><c>sequences.inter</c>: RecBole's atomic file, <c>user_id:token item_id:token timestamp:float</c> with the
/// original ids (tab-separated, a header line), in the same order.</item>
/// <item><c>item_map.tsv</c>: exported item number, <c>item_idx</c> of the sequences stage, original id, domain.</item>
/// </list>
/// </summary>
public sealed class ExportStage : StageKind<ExportParams>
{
    public override string Name => "export";
    public override int Version => 1;
    public override string Description => "A sequences artifact as SASRec.pytorch's user-item text file and RecBole's .inter file, for running references on the same split.";

    public override IReadOnlyList<string> RequiredInputs(ExportParams p) => ["sequences", "item_index", "user_index"];

    public override IReadOnlyList<OutputSpec> Outputs(ExportParams p) =>
        [new("sasrec", "sequences.txt"), new("recbole", "sequences.inter"), new("item_map", "item_map.tsv")];

    public override async Task RunAsync(StageContext ctx, ExportParams p, CancellationToken ct)
    {
        var rows = (await ParquetArtifact.ReadAsync<SequenceRow>(ctx.Input("sequences"), ct)).OrderBy(r => r.UserIdx).ToList();
        var items = (await ParquetArtifact.ReadAsync<ItemIndexRow>(ctx.Input("item_index"), ct)).ToDictionary(i => i.ItemIdx);
        var users = (await ParquetArtifact.ReadAsync<UserIndexRow>(ctx.Input("user_index"), ct)).ToDictionary(u => u.UserIdx, u => u.User);

        // Items numbered 1.. in order of first appearance: contiguous, as the reference's item count is its largest id.
        var number = new Dictionary<int, int>();
        var sasrec = new StringBuilder();
        var recbole = new StringBuilder("user_id:token\titem_id:token\ttimestamp:float\n");
        int exportedUsers = 0;
        foreach (var row in rows)
        {
            var (seq, times) = Pick(row, p.Sequence);
            if (seq.Length == 0) continue;
            exportedUsers++;
            var user = users.TryGetValue(row.UserIdx, out var u) ? u : row.User;
            for (int i = 0; i < seq.Length; i++)
            {
                if (!number.TryGetValue(seq[i], out var n)) number[seq[i]] = n = number.Count + 1;
                sasrec.Append(exportedUsers).Append(' ').Append(n).Append('\n');
                recbole.Append(user).Append('\t').Append(items[seq[i]].Item).Append('\t').Append(times[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        var map = new StringBuilder("item\titem_idx\tid\tdomain\n");
        foreach (var (idx, n) in number.OrderBy(kv => kv.Value))
            map.Append(n).Append('\t').Append(idx).Append('\t').Append(items[idx].Item).Append('\t').Append(items[idx].Domain).Append('\n');
        await File.WriteAllTextAsync(ctx.Output("sasrec"), sasrec.ToString(), ct);
        await File.WriteAllTextAsync(ctx.Output("recbole"), recbole.ToString(), ct);
        await File.WriteAllTextAsync(ctx.Output("item_map"), map.ToString(), ct);
        ctx.Progress.Info($"exported the {p.Sequence.ToString().ToLowerInvariant()} sequences of {exportedUsers:N0} users over {number.Count:N0} items");
    }

    /// <summary>The stored sequence and its timestamps; the target one already ends with the validation and test items.</summary>
    public static (int[] Items, long[] Timestamps) Pick(SequenceRow row, ExportedSequence which) => which switch
    {
        ExportedSequence.Source => (row.SourceItems, row.SourceTimestamps),
        ExportedSequence.Mixed => (row.MixedItems, row.MixedTimestamps),
        _ => (row.TargetItems, row.TargetTimestamps),
    };
}
