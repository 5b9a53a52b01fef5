using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Models.SemaCdr;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.Mgcl;

/// <summary>
/// MGCL, multi-view graph contrastive learning (Xu, Chen, Pan and Ming, "A Multi-view Graph Contrastive Learning
/// Framework for Cross-Domain Sequential Recommendation", RecSys 2023 and ACM TORS 3(4), 2024). Its code is not
/// public and only its abstract and SemaCDR's descriptions (Appendix D; §3.2: it adds user–item connections to
/// sequential item graphs) could be read, so everything below the abstract's two views is this toolkit's choice,
/// listed in docs/models.md:
/// <list type="bullet">
/// <item>intra-domain item view: each element of the merged sequence has a dynamic representation from the user
/// sequence graph (<see cref="SequenceGraph"/>: its own embedding plus a learned map of its causal in-neighbours) and
/// a static one, g, from LightGCN over the cross-domain user–item graph of training interactions; NT-Xent pulls the
/// two views of each user's latest element together (weight <c>item_weight</c>);</item>
/// <item>inter-domain user preference view: a causal encoder over the target sequence (static item views) gives the
/// single-domain preference p^T_t, one over the merged sequence (dynamic + static views) read just before the
/// predicted item gives the cross-domain preference p^M_t; NT-Xent pulls each user's two together at its last target
/// slot (weight <c>user_weight</c>).</item>
/// </list>
/// The prediction is h_t = p^T_t + p^M_t scored by dot product against the static item views g, trained with the
/// shared loss family (BCE on one negative by default). A target-domain model: one instance per domain under mixed_loo.
/// </summary>
public sealed class Mgcl : RecommenderModel
{
    private readonly MgclOptions _options;
    private readonly Embedding _nodes;        // items 0..N, then users at N + 1 + user_idx (InteractionGraphs' node ids)
    private readonly Linear _transition;
    private readonly CausalTransformer _target, _mixed;
    private readonly NextItemObjective _objective;
    private readonly InteractionGraphs _graph;
    private readonly Dictionary<string, SparseAdjacency> _adjacency = [];
    private readonly int[] _targetItems;
    private readonly int _hidden, _maxLength, _items;

    public Mgcl(FeatureTables tables, TrainingConfig config) : base(nameof(Mgcl))
    {
        _options = ModelCatalog.Options<MgclOptions>(config);
        _hidden = config.Hidden;
        _maxLength = config.MaxLength;
        _items = tables.ItemCount;
        _targetItems = tables.TargetItems;
        _objective = ModelCatalog.Objective("mgcl", config);
        // Training interactions only (InteractionGraphs): no validation or test interaction is an edge.
        _graph = InteractionGraphs.Build(tables, GraphKind.Full);
        _nodes = Embedding(_items + 1 + _graph.Users, config.Hidden, padding_idx: 0);
        _transition = Linear(config.Hidden, config.Hidden, hasBias: false);
        _target = new CausalTransformer(config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength);
        _mixed = new CausalTransformer(config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength);
        RegisterComponents();
        XavierInit.Apply(this);
    }

    /// <summary>The static views g of every item [N + 1, d]: LightGCN's mean over its layers 0..L of the user–item graph.</summary>
    private Tensor StaticItems(Device device)
    {
        Tensor table = _nodes.weight!;
        if (_options.GraphLayers == 0) return table.narrow(0, 0, _items + 1);
        var key = device.ToString();
        if (!_adjacency.TryGetValue(key, out var adjacency)) _adjacency[key] = adjacency = _graph.MixedAdjacency(device);
        var layer = table;
        var sum = table;
        for (int l = 0; l < _options.GraphLayers; l++)
        {
            layer = adjacency.Multiply(layer);
            sum = sum.Plus(layer);
        }
        return sum.Over(_options.GraphLayers + 1).narrow(0, 0, _items + 1);
    }

    private sealed record Encoded(Tensor Hidden, Tensor Static, Tensor Dynamic, Tensor Merged);

    private Encoded Encode(CrossDomainInput input, Device device)
    {
        var g = StaticItems(device);
        Tensor Lookup(Tensor ids) => g.index_select(0, ids.reshape(-1)).view([.. ids.shape, _hidden]);
        var targetIds = input.Target.ToTensor(device);
        var pT = _target.forward(Lookup(targetIds).Times(Math.Sqrt(_hidden)), targetIds.ne(KeptScalars.Zero), input.Target.PositionOffset);
        // Dynamic view: the element's own embedding plus the map of its causal in-neighbours in the user sequence graph.
        var mixedIds = input.Mixed.ToTensor(device);
        var own = _nodes.forward(mixedIds);
        var dynamic = own.Plus(_transition.forward(SequenceGraph.Tensor(input.Mixed, device).bmm(own)));
        var merged = _mixed.forward(dynamic.Plus(Lookup(mixedIds)).Times(Math.Sqrt(_hidden)), mixedIds.ne(KeptScalars.Zero), input.Mixed.PositionOffset);
        // p^M_t: the merged state just before each slot's predicted item; a zero vector where the window holds none.
        var pM = input.AtMixedState(merged);
        return new Encoded(pT.Plus(pM), g, dynamic, pM);
    }

    public override Tensor Loss(TrainingBatch batch)
    {
        var device = batch.Device;
        var input = CrossDomainInput.ForTraining(batch.Users, _maxLength, batch.TargetNegatives);
        var encoded = Encode(input, device);
        var g = encoded.Static;
        var rows = NextItemObjective.Rows(encoded.Hidden, input.Positives, input.Negatives, _targetItems);
        var loss = _objective.Loss(rows, new DotProductScorer(ids => g.index_select(0, ids.reshape(-1)).view([.. ids.shape, _hidden])), batch.Random, device);

        // Intra-domain item view: each user's latest merged element, its sequence-graph view against its global-graph view.
        var lm = input.Mixed.Length;
        var latest = Enumerable.Range(0, input.Mixed.Batch).Where(i => input.Mixed.Lengths[i] > 0).Select(i => (long)(i * lm + lm - 1)).ToArray();
        if (_options.ItemWeight > 0 && latest.Length > 1)
        {
            var index = tensor(latest, device: device);
            var dynamic = encoded.Dynamic.reshape(-1, _hidden).index_select(0, index);
            var stat = g.index_select(0, tensor(latest.Select(s => input.Mixed.Items[s]).ToArray(), device: device));
            loss = loss.Plus(PairContrast.Loss(dynamic, stat, _options.Temperature, cosine: true).Times(_options.ItemWeight));
        }
        // Inter-domain user preference view: each user's last target slot, single-domain against cross-domain preference.
        var lt = input.Target.Length;
        var slots = Enumerable.Range(0, input.Target.Batch).Where(i => input.Target.Lengths[i] > 0).Select(i => (long)(i * lt + lt - 1)).ToArray();
        if (_options.UserWeight > 0 && slots.Length > 1)
        {
            var index = tensor(slots, device: device);
            var single = (encoded.Hidden - encoded.Merged).reshape(-1, _hidden).index_select(0, index);
            var cross = encoded.Merged.reshape(-1, _hidden).index_select(0, index);
            loss = loss.Plus(PairContrast.Loss(single, cross, _options.Temperature, cosine: true).Times(_options.UserWeight));
        }
        return loss;
    }

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var encoded = Encode(CrossDomainInput.ForScoring(users, split, _maxLength), device);
        return CheckedMatmul.Product(encoded.Hidden[.., -1, ..], encoded.Static.t());
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var a in _adjacency.Values) a.Dispose();
        base.Dispose(disposing);
    }
}
