using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Models.SemaCdr;
using CrossDomain.Trainer.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.TriCdr;

/// <summary>
/// Tri-CDR for one target domain: what one run of hulkima/Tri-CDR trains (its <c>SASRec_V12_time_final</c>). Three
/// SASRec encoders, each over its own item table (mix, source, target); at each target slot the target state queries
/// the mix, source and target states through one <see cref="DinAttention"/> (each with the slot's mean mix state as
/// context); the three outputs are fused by Linear(3d, d) → LeakyReLU → Linear(d, d), and an item's score is the
/// cosine between the fused state and its row of the target table, times <c>temperature</c>. Each branch's output at
/// a user's last slot, through its own two-layer projection, feeds the contrastive and triplet losses.
/// </summary>
public sealed class TriCdrTower : Module
{
    private readonly Embedding _mixItems, _sourceItems, _targetItems;
    private readonly CausalTransformer _mixEncoder, _sourceEncoder, _targetEncoder;
    private readonly DinAttention _attention;
    private readonly Linear _fuse, _fuseOut;
    private readonly Sequential _projectMix, _projectSource, _projectTarget;
    private readonly MultiViewItems? _semantics;
    private readonly int _hidden;

    /// <param name="semantics">SemaCDR's item semantics on every lookup of the three tables, or null (the reference).</param>
    public TriCdrTower(string name, int items, int hidden, int heads, int blocks, double dropout, int maxLength, MultiViewItems? semantics = null) : base(name)
    {
        _semantics = semantics;
        _hidden = hidden;
        _mixItems = Embedding(items + 1, hidden, padding_idx: 0);
        _sourceItems = Embedding(items + 1, hidden, padding_idx: 0);
        _targetItems = Embedding(items + 1, hidden, padding_idx: 0);
        _mixEncoder = new CausalTransformer(hidden, heads, blocks, dropout, maxLength);
        _sourceEncoder = new CausalTransformer(hidden, heads, blocks, dropout, maxLength);
        _targetEncoder = new CausalTransformer(hidden, heads, blocks, dropout, maxLength);
        _attention = new DinAttention(hidden);
        _fuse = Linear(3 * hidden, hidden);
        _fuseOut = Linear(hidden, hidden);
        _projectMix = Sequential(Linear(hidden, hidden), ReLU(), Linear(hidden, hidden));
        _projectSource = Sequential(Linear(hidden, hidden), ReLU(), Linear(hidden, hidden));
        _projectTarget = Sequential(Linear(hidden, hidden), ReLU(), Linear(hidden, hidden));
        RegisterComponents();
    }

    /// <summary>
    /// The fused state of each query row [rows, d], the three branches' projected outputs [rows, d], and the semantic
    /// views this batch computed (null without <c>semantic_views</c>).
    /// </summary>
    public (Tensor Fused, Tensor Mix, Tensor Source, Tensor Target, (Tensor, Tensor)? Views) Forward(TriCdrInputs input, Device device)
    {
        var views = _semantics?.Compute(device);
        var owner = tensor(input.Owner, device: device);
        // Each row's user's states: the rows gather what they attend over, so padded slots cost nothing.
        Tensor Rows(Tensor states) => states.index_select(0, owner);
        var mix = Rows(Encode(_mixEncoder, _mixItems, input.Mixed, views, device));
        var source = Rows(Encode(_sourceEncoder, _sourceItems, input.Source, views, device));
        var target = Rows(Encode(_targetEncoder, _targetItems, input.Target, views, device));
        var query = target.gather(1, tensor(input.Column, device: device).view(-1, 1, 1).expand(-1, 1, _hidden)).squeeze(1);
        var mixMask = input.MixedMask(device);
        var context = DinAttention.VisibleMean(mix, mixMask);
        var fromMix = _attention.forward(query, mix, mixMask, context);
        var fromSource = _attention.forward(query, source, input.SourceMask(device), context);
        var fromTarget = _attention.forward(query, target, input.TargetMask(device), context);
        var fused = _fuseOut.forward(functional.leaky_relu(_fuse.forward(cat([fromMix, fromSource, fromTarget], -1))));
        return (fused, _projectMix.forward(fromMix), _projectSource.forward(fromSource), _projectTarget.forward(fromTarget), views);
    }

    public enum Branch { Mix, Source, Target }

    /// <summary>
    /// SASRec's next-item BCE for one branch's encoder and table on its own sequences (dot-product scores, one
    /// negative per position), for pretraining; zero when no sequence of the batch has a next item.
    /// </summary>
    public Tensor PretrainLoss(Branch branch, Training.NextItemBatch next, Device device)
    {
        var (encoder, table) = branch switch
        {
            Branch.Mix => (_mixEncoder, _mixItems),
            Branch.Source => (_sourceEncoder, _sourceItems),
            _ => (_targetEncoder, _targetItems),
        };
        var slots = next.Positives.Select((item, slot) => (item, slot)).Where(x => x.item != 0).Select(x => (long)x.slot).ToArray();
        if (slots.Length == 0) return zeros(1, device: device).squeeze();
        var views = _semantics?.Compute(device);
        var states = Encode(encoder, table, next.Input, views, device).reshape(-1, _hidden).index_select(0, tensor(slots, device: device));
        var positives = tensor(slots.Select(s => next.Positives[s]).ToArray(), device: device);
        var negatives = tensor(slots.Select(s => next.Negatives[s]).ToArray(), device: device);
        var positiveLogits = (states * Lookup(table, positives, views)).sum(-1);
        var negativeLogits = (states * Lookup(table, negatives, views)).sum(-1);
        return functional.binary_cross_entropy_with_logits(positiveLogits, ones_like(positiveLogits))
            .Plus(functional.binary_cross_entropy_with_logits(negativeLogits, zeros_like(negativeLogits)));
    }

    /// <summary>Item rows of a table, enriched with the semantic views when the tower has them.</summary>
    private Tensor Lookup(Embedding table, Tensor ids, (Tensor, Tensor)? views) =>
        views is { } v ? _semantics!.Enrich(v, table.forward(ids), ids) : table.forward(ids);

    /// <summary>Cosine of fused states [..., d] with the target table's rows of <paramref name="items"/> [..., d] (same leading shape), unscaled.</summary>
    public Tensor Cosine(Tensor fused, Tensor items, (Tensor, Tensor)? views) =>
        (functional.normalize(fused, p: 2, dim: -1) * functional.normalize(Lookup(_targetItems, items, views), p: 2, dim: -1)).sum(-1);

    /// <summary>Cosine of fused states [batch, d] with every row of the target table: [batch, items + 1].</summary>
    public Tensor CosineAll(Tensor fused, (Tensor, Tensor)? views)
    {
        var table = views is { } v ? _semantics!.EnrichAll(v, _targetItems.weight!) : _targetItems.weight!;
        return CheckedMatmul.Product(functional.normalize(fused, p: 2, dim: -1), functional.normalize(table, p: 2, dim: -1).t());
    }

    /// <summary>λ (L_c¹ + L_c²) of SemaCDR's Eq. 3 over the batch's items, the target table as e^ID.</summary>
    public Tensor SemanticLoss((Tensor, Tensor) views, IEnumerable<long> items, Device device) =>
        _semantics!.Contrastive(views, _targetItems.weight!, items, device);

    private Tensor Encode(CausalTransformer encoder, Embedding table, Training.PaddedSequences sequences, (Tensor, Tensor)? views, Device device)
    {
        var ids = sequences.ToTensor(device);
        return encoder.forward(Lookup(table, ids, views).Times(Math.Sqrt(_hidden)), ids.ne(KeptScalars.Zero), sequences.PositionOffset);
    }
}
