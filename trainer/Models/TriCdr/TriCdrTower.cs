using CrossDomain.Trainer.Models.Layers;
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
    private readonly int _hidden;

    public TriCdrTower(string name, int items, int hidden, int heads, int blocks, double dropout, int maxLength) : base(name)
    {
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

    /// <summary>The fused state of each query row [rows, d], and the three branches' projected outputs [rows, d].</summary>
    public (Tensor Fused, Tensor Mix, Tensor Source, Tensor Target) Forward(TriCdrInputs input, Device device)
    {
        var owner = tensor(input.Owner, device: device);
        // Each row's user's states: the rows gather what they attend over, so padded slots cost nothing.
        Tensor Rows(Tensor states) => states.index_select(0, owner);
        var mix = Rows(Encode(_mixEncoder, _mixItems, input.Mixed, device));
        var source = Rows(Encode(_sourceEncoder, _sourceItems, input.Source, device));
        var target = Rows(Encode(_targetEncoder, _targetItems, input.Target, device));
        var query = target.gather(1, tensor(input.Column, device: device).view(-1, 1, 1).expand(-1, 1, _hidden)).squeeze(1);
        var mixMask = input.MixedMask(device);
        var context = DinAttention.VisibleMean(mix, mixMask);
        var fromMix = _attention.forward(query, mix, mixMask, context);
        var fromSource = _attention.forward(query, source, input.SourceMask(device), context);
        var fromTarget = _attention.forward(query, target, input.TargetMask(device), context);
        var fused = _fuseOut.forward(functional.leaky_relu(_fuse.forward(cat([fromMix, fromSource, fromTarget], -1))));
        return (fused, _projectMix.forward(fromMix), _projectSource.forward(fromSource), _projectTarget.forward(fromTarget));
    }

    /// <summary>Cosine of fused states [..., d] with the target table's rows of <paramref name="items"/> [..., d] (same leading shape), unscaled.</summary>
    public Tensor Cosine(Tensor fused, Tensor items) =>
        (functional.normalize(fused, p: 2, dim: -1) * functional.normalize(_targetItems.forward(items), p: 2, dim: -1)).sum(-1);

    /// <summary>Cosine of fused states [batch, d] with every row of the target table: [batch, items + 1].</summary>
    public Tensor CosineAll(Tensor fused) =>
        CheckedMatmul.Product(functional.normalize(fused, p: 2, dim: -1), functional.normalize(_targetItems.weight!, p: 2, dim: -1).t());

    private Tensor Encode(CausalTransformer encoder, Embedding table, Training.PaddedSequences sequences, Device device)
    {
        var ids = sequences.ToTensor(device);
        return encoder.forward(table.forward(ids).Times(Math.Sqrt(_hidden)), ids.ne(KeptScalars.Zero), sequences.PositionOffset);
    }
}
