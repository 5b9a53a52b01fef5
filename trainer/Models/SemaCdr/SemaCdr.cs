using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.SemaCdr;

/// <summary>
/// SemaCDR (Zhang et al., WWW 2026, §2), notation as in the paper:
/// <list type="number">
/// <item>item views e^ID ⊕ e^inn ⊕ e^agn (<see cref="ItemViews"/>), aligned by InfoNCE L_c¹(e^ID, e^agn) and
/// L_c²(e^inn, e^agn) within each domain over the items of the batch (Eq. 3);</item>
/// <item>one GCN layer each over G^S, G^T and the user–item graph G^mix (Eqs. 4–6), giving h^S, h^T, h^mix and
/// the users' h_u^mix;</item>
/// <item>three causal Transformers over the source, target and mixed sequences of graph-enhanced items (Eqs. 7–9);</item>
/// <item>cross-attention of the target sequence over the source sequence, each target slot seeing only source
/// interactions before the item it predicts (Eq. 10), as a pre-norm block with residual and feed-forward;</item>
/// <item>z_final = α z_fuse + β z_mix + γ h_u^mix with learnable α, β, γ (Eq. 11), where z_mix is the mixed
/// sequence's state just before the predicted item and h_u^mix the user's G^mix row, from all training items
/// (<c>user_vector: graph</c>, as written), from the items before the predicted one (<c>causal</c>) or left out
/// (<c>none</c>); ŷ = φ(z_final, e^ID_i) by dot product or MLP (Eq. 12);</item>
/// <item>L = L_BPR + λ (L_c¹ + L_c²) (Eqs. 13–14), BPR at every target position against one sampled negative.</item>
/// </list>
/// </summary>
public sealed class SemaCdr : RecommenderModel, IItemRepresentations
{
    private readonly SemaCdrOptions _options;
    private readonly ItemViews _views;
    private readonly GraphConvolution _gcnTarget;
    private readonly GraphConvolution? _gcnSource, _gcnMixed;
    private readonly Embedding _users;
    private readonly CausalTransformer _target, _mixed;
    private readonly CausalTransformer? _source;
    private readonly nn.Module<Tensor, Tensor, Tensor, Tensor>? _cross; // Eq. 10: a TransformerBlock or a CrossAttentionFusion
    private readonly Parameter _alpha, _beta, _gamma;
    private readonly Sequential? _mlp;
    private readonly Graphs _graphs;
    private readonly int _maxLength, _hidden, _items;
    private readonly bool[] _isSource;
    private readonly int[] _targetItems;
    private readonly NextItemObjective _objective;
    private readonly float[] _mixedInverseRootDegree; // 1 / √deg_j of each item in G^mix, for the causal user vector

    /// <summary>The sparse adjacencies, kept out of the module's registered state (they are rebuilt from the features, not learned).</summary>
    private sealed class Graphs
    {
        public required InteractionGraphs Source { get; init; }
        public Dictionary<string, SparseAdjacency> ByDevice { get; } = [];
    }

    public SemaCdrOptions Options => _options;

    public SemaCdr(FeatureTables tables, TrainingConfig config) : base(nameof(SemaCdr))
    {
        _options = ModelCatalog.Options<SemaCdrOptions>(config);
        _maxLength = config.MaxLength;
        _hidden = config.Hidden;
        _items = tables.ItemCount;
        _targetItems = tables.TargetItems;
        _objective = ModelCatalog.Objective("semacdr", config);
        _isSource = new bool[_items + 1];
        foreach (var i in tables.SourceItems) _isSource[i] = true;
        _views = new ItemViews(tables, config.Hidden, _options);
        var nodeDim = _views.IdDim + _views.InnerDim + _views.AgnosticDim;
        // Without cross-domain fusion the source sequence has no use (w/o CDBehav), nor, with the full graphs, G^S.
        if (_options.CrossDomainFusion || _options.Graph == GraphKind.Simple) _gcnSource = new GraphConvolution(nodeDim, config.Hidden, _options.GraphResidual);
        _gcnTarget = new GraphConvolution(nodeDim, config.Hidden, _options.GraphResidual);
        var userCount = tables.Users.Count == 0 ? 1 : tables.Users.Max(u => u.UserIdx) + 1;
        if (_options.Graph == GraphKind.Full)
        {
            _gcnMixed = new GraphConvolution(nodeDim, config.Hidden, _options.GraphResidual);
            _users = Embedding(userCount, nodeDim);   // e_u, a node of G^mix
        }
        else _users = Embedding(userCount, config.Hidden); // SimpGraph: no user–item graph, h_u is the ID embedding itself
        if (_options.CrossDomainFusion) _source = new CausalTransformer(config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength);
        _target = new CausalTransformer(config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength);
        _mixed = new CausalTransformer(config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength);
        if (_options.CrossDomainFusion)
            _cross = _options.CrossAttention == CrossAttentionForm.Block ? new TransformerBlock(config.Hidden, config.Heads, config.Dropout)
                : new CrossAttentionFusion(config.Hidden, config.Heads, config.Dropout, residual: _options.CrossAttention == CrossAttentionForm.Residual);
        // Adaptive weights start at the average; AvgFusion keeps them there (not trained).
        var third = 1.0f / 3;
        var learn = _options.Fusion == FusionKind.Adaptive;
        _alpha = new Parameter(tensor(new[] { third }), requires_grad: learn);
        _beta = new Parameter(tensor(new[] { third }), requires_grad: learn);
        _gamma = new Parameter(tensor(new[] { third }), requires_grad: learn && _options.UserVector != UserVector.None);
        if (_options.Predictor == Predictor.Mlp)
            _mlp = Sequential(Linear(2 * config.Hidden, config.Hidden), ReLU(), Linear(config.Hidden, 1, hasBias: false)); // BPR cancels an output bias
        _graphs = new Graphs { Source = InteractionGraphs.Build(tables, _options.Graph, _options.ItemGraph, _options.ItemGraphTopK) };
        _mixedInverseRootDegree = [.. _graphs.Source.MixedItemDegrees().Select(d => (float)(1 / Math.Sqrt(d)))];
        RegisterComponents();
        XavierInit.Apply(this);
    }

    private (SparseAdjacency Source, SparseAdjacency Target, SparseAdjacency? Mixed) Adjacencies(Device device)
    {
        var key = device.ToString();
        if (!_graphs.ByDevice.ContainsKey(key + "S"))
        {
            _graphs.ByDevice[key + "S"] = _graphs.Source.ItemAdjacency(_graphs.Source.SourceCounts, _options.EdgeWeight, device);
            _graphs.ByDevice[key + "T"] = _graphs.Source.ItemAdjacency(_graphs.Source.TargetCounts, _options.EdgeWeight, device);
            if (_options.Graph == GraphKind.Full) _graphs.ByDevice[key + "M"] = _graphs.Source.MixedAdjacency(device);
        }
        return (_graphs.ByDevice[key + "S"], _graphs.ByDevice[key + "T"], _graphs.ByDevice.GetValueOrDefault(key + "M"));
    }

    /// <summary>The views of every item and the node features e_m = e^ID ⊕ e^inn ⊕ e^agn.</summary>
    private (Tensor Nodes, Tensor? Inner, Tensor? Agnostic) Views(Device device)
    {
        var inner = _views.Inner(device);
        var agnostic = _views.Agnostic(device);
        var parts = new List<Tensor> { _views.Id };
        if (inner is not null) parts.Add(inner);
        if (agnostic is not null) parts.Add(agnostic);
        return (cat(parts, 1), inner, agnostic);
    }

    /// <summary>Graph-enhanced items h^S (null when unused), h^T, h^mix [N + 1, d] and users h_u [users, d] (Eqs. 4–6).</summary>
    public (Tensor? Source, Tensor Target, Tensor Mixed, Tensor Users) Graph(Tensor nodes, Device device)
    {
        var (adjS, adjT, adjM) = Adjacencies(device);
        var hS = _gcnSource?.forward(adjS, nodes);
        var hT = _gcnTarget.forward(adjT, nodes);
        if (_gcnMixed is not null && adjM is not null)
        {
            var mixed = _gcnMixed.forward(adjM, cat([nodes, _users.weight!], 0));
            return (hS, hT, mixed[..(_items + 1)], mixed[(_items + 1)..]);
        }
        var isSource = tensor(_isSource, device: device).unsqueeze(1);
        return (hS, hT, where(isSource, hS!, hT), _users.weight!);
    }

    private static Tensor Rows(Tensor table, Tensor ids) => ItemViews.Rows(table, ids);

    /// <summary>z_final at every target slot [batch, target length, d] (Eqs. 7–11).</summary>
    private Tensor Encode(CrossDomainInput input, Tensor nodes, Device device)
    {
        var (hS, hT, hMix, hUsers) = Graph(nodes, device);
        Tensor Run(CausalTransformer encoder, Tensor table, PaddedSequences seq)
        {
            var ids = seq.ToTensor(device);
            var x = Rows(table, ids);
            return encoder.forward(_options.ScaleInputs ? x.Times(Math.Sqrt(_hidden)) : x, ids.ne(KeptScalars.Zero), seq.PositionOffset);
        }
        var zT = Run(_target, hT, input.Target);
        var zM = Run(_mixed, hMix, input.Mixed);
        var zFuse = _cross is null || _source is null || hS is null ? zT
            : _cross.forward(zT, Run(_source, hS, input.Source), input.CrossMask(device).logical_not().unsqueeze(1));
        // z_mix at each target slot: the mixed state just before the predicted item (a zero vector where there is none).
        var zMix = input.AtMixedState(zM);
        var z = (_alpha * zFuse).Plus(_beta * zMix);
        return UserTerm(input, nodes, hUsers, device) is { } hU ? z.Plus(_gamma * hU) : z;
    }

    /// <summary>h_u as Eq. 11 adds it: [batch, 1 or target length, d], or null with <c>user_vector: none</c>.</summary>
    private Tensor? UserTerm(CrossDomainInput input, Tensor nodes, Tensor hUsers, Device device) => _options.UserVector switch
    {
        UserVector.None => null,
        UserVector.Causal when _gcnMixed is not null => CausalUsers(input, nodes, device),
        _ => Rows(hUsers, tensor(input.Users, device: device)).unsqueeze(1), // SimpGraph's h_u holds no item: causal is the same
    };

    /// <summary>h_u at every target slot [batch, target length, d] as the model adds it (zeros without a user term), for tests and inspection.</summary>
    public Tensor UserVectors(CrossDomainInput input, Device device)
    {
        var (nodes, _, _) = Views(device);
        var (_, _, _, hUsers) = Graph(nodes, device);
        var term = UserTerm(input, nodes, hUsers, device) ?? zeros(input.Target.Batch, 1, _hidden, device: device);
        return term.expand(input.Target.Batch, input.Target.Length, _hidden);
    }

    /// <summary>
    /// h_u^mix at every target slot [batch, target length, d] from the user's items before the predicted one: the
    /// G^mix GCN's user row (Eq. 5) with N(u) cut to that prefix. With n distinct items in the prefix, Â_uu = 1/(n + 1)
    /// and Â_uj = 1/√((n + 1) deg_j), deg_j the item's G^mix degree; over the whole training history this is the
    /// user row of <see cref="Graph"/> exactly.
    /// </summary>
    private Tensor CausalUsers(CrossDomainInput input, Tensor nodes, Device device)
    {
        var gcn = _gcnMixed ?? throw new InvalidOperationException("the causal user vector needs G^mix (graph: full)");
        var history = input.History;
        int b = history.Batch, lh = history.Length, lt = input.Target.Length;
        var weights = new float[history.Items.Length];
        var distinct = new float[b * lt];
        var rows = new long[b * lt];
        var running = new int[lh + 1];
        for (int i = 0; i < b; i++)
        {
            for (int k = 0; k < lh; k++)
            {
                var slot = history.Slot(i, k);
                var first = k < history.Lengths[i] && input.HistoryFirst[slot];
                weights[slot] = first ? _mixedInverseRootDegree[history.Items[slot]] : 0;
                running[k + 1] = running[k] + (first ? 1 : 0);
            }
            for (int t = 0; t < lt; t++)
            {
                var p = (int)input.UserPrefix[i * lt + t];
                distinct[i * lt + t] = running[p] + 1; // n + 1: the self-loop counts
                rows[i * lt + t] = i * (lh + 1L) + p;
            }
        }
        var xw = gcn.Transform(nodes);
        var own = gcn.Transform(Rows(_users.weight!, tensor(input.Users, device: device))).unsqueeze(1); // [b, 1, d]
        var weighted = Rows(xw, history.ToTensor(device)) * tensor(weights, [b, lh, 1], device: device);
        var prefixSums = cat([zeros(b, 1, xw.shape[1], device: device), weighted.cumsum(1)], 1).reshape(b * (lh + 1), xw.shape[1]);
        var neighbours = Rows(prefixSums, tensor(rows, [b, lt], device: device));
        var degree = tensor(distinct, [b, lt, 1], device: device);
        var propagated = (own / degree).Plus(neighbours / degree.sqrt());
        return gcn.Activate(propagated, own.expand_as(propagated));
    }

    private Tensor Predict(Tensor z, Tensor items)
    {
        if (_mlp is null) return (z * items).sum(-1);
        return _mlp.forward(cat([z, items], -1)).squeeze(-1);
    }

    public override Tensor Loss(TrainingBatch batch)
    {
        var device = batch.Device;
        var input = CrossDomainInput.ForTraining(batch.Users, _maxLength, batch.TargetNegatives);
        var (nodes, inner, agnostic) = Views(device);
        var z = Encode(input, nodes, device);
        var rows = NextItemObjective.Rows(z, input.Positives, input.Negatives, _targetItems);
        var loss = _objective.Loss(rows, new FinalScorer(this), batch.Random, device);
        if (_options.ContrastiveWeight > 0 && agnostic is not null)
            loss = loss.Plus(Contrastive(input, inner, agnostic, device).Times(_options.ContrastiveWeight));
        return loss;
    }

    /// <summary>L_c¹ + L_c² over the batch's items, each summed over the source and the target domain (Eq. 3).</summary>
    private Tensor Contrastive(CrossDomainInput input, Tensor? inner, Tensor agnostic, Device device) =>
        _views.ViewContrast(_views.Id, inner, agnostic, input.Target.Items.Concat(input.Source.Items).Concat(input.Mixed.Items).Concat(input.Positives),
            _isSource, _options.Temperature, _options.ContrastiveDuplicates, device);

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var input = CrossDomainInput.ForScoring(users, split, _maxLength);
        var (nodes, _, _) = Views(device);
        var last = Encode(input, nodes, device)[.., -1, ..]; // [b, d]
        return Against(last, _views.Id);
    }

    /// <summary>φ(z, e^ID_i) of every row against every item of <paramref name="items"/> [C, d]: [N, C].</summary>
    private Tensor Against(Tensor z, Tensor items)
    {
        if (_mlp is null) return CheckedMatmul.Product(z, items.t());
        // φ as an MLP over every (row, item) pair, in chunks of rows to bound memory.
        var chunks = new List<Tensor>();
        for (long start = 0; start < z.shape[0]; start += 64)
        {
            var part = z.narrow(0, start, Math.Min(64, z.shape[0] - start));
            chunks.Add(Predict(part.unsqueeze(1).expand(-1, items.shape[0], -1), items.unsqueeze(0).expand(part.shape[0], -1, -1)));
        }
        return cat(chunks, 0);
    }

    /// <summary>ŷ = φ(z_final, e^ID_i) (Eq. 12) for the shared training objective.</summary>
    private sealed class FinalScorer(SemaCdr model) : ICandidateScorer
    {
        public Tensor Paired(Tensor hidden, Tensor items) => model.Predict(hidden, Rows(model._views.Id, items));

        public Tensor Against(Tensor hidden, Tensor candidates) => model.Against(hidden, Rows(model._views.Id, candidates));
    }

    public override IEnumerable<(IEnumerable<Parameter> Parameters, double LearningRate)> ParameterGroups(TrainingConfig config)
    {
        // Two learning rates (§3.7): the semantic modules at semantic_learning_rate, everything else at learning_rate.
        var bySemantic = named_parameters().Where(p => p.parameter.requires_grad)
            .ToLookup(p => p.name.StartsWith("_views._inner.") || p.name.StartsWith("_views._subcategories."), p => p.parameter);
        var semantic = bySemantic[true].ToList();
        var rest = bySemantic[false].ToList();
        var groups = new List<(IEnumerable<Parameter>, double)> { (rest, config.LearningRate) };
        if (semantic.Count > 0) groups.Add((semantic, _options.SemanticLearningRate));
        return groups;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var a in _graphs.ByDevice.Values) a.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The fusion weights (α, β, γ).</summary>
    public (float Alpha, float Beta, float Gamma) FusionWeights => (_alpha.item<float>(), _beta.item<float>(), _gamma.item<float>());

    /// <summary>α (z_fuse), β (z_mix) and γ (h_u^mix) of Eq. 11 at the loaded weights; each starts at 1/3 and is not normalised.</summary>
    public override IReadOnlyDictionary<string, double> LearnedWeights
    {
        get
        {
            var (a, b, g) = FusionWeights;
            return new Dictionary<string, double> { ["fusion_alpha"] = a, ["fusion_beta"] = b, ["fusion_gamma"] = g };
        }
    }

    /// <summary>Item representations after graph learning (h^S for source items, h^T for target items), for inspection and plots.</summary>
    public Tensor ItemRepresentations(Device device)
    {
        using var noGrad = no_grad();
        var (nodes, _, _) = Views(device);
        var (hS, hT, hMix, _) = Graph(nodes, device);
        return where(tensor(_isSource, device: device).unsqueeze(1), hS ?? hMix, hT);
    }
}
