using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.Tema;

/// <summary>
/// TEMA-LLM (Wu et al., §III), with the paper's X the target domain (the one evaluated, Eq. 17) and Y the source:
/// <list type="number">
/// <item>item views ID, image (when the features carry one), text and tag (<see cref="TemaViews"/>);</item>
/// <item>one causal self-attention encoder per (sequence, view) pair over S^X, S^Y and S^{X+Y} (§III-F, Eq. 11);</item>
/// <item>per view, P_v = softmax(cos(h_v, E_v) / τ) over the candidate domain's items (Eqs. 8, 12–13), fused as
/// P = Σ_v α_v P_v with α₁ (ID), α₂ (image), α₃ (text) and the rest for tags, renormalised over the views present;</item>
/// <item>L = L^X + λ₁ L^Y + λ₂ L^{X+Y} (Eqs. 14–15): the target sequence predicts its next target item, the source
/// sequence its next source item, the mixed sequence its next item among the items of that item's domain; each the
/// negative log of the fused probability, summed over positions and averaged over the batch's users;</item>
/// <item>score(i) = P^X(i) + λ₁ P^Y(i) + λ₂ P^{X+Y}(i) over the target items (Eq. 16), each sequence's last state
/// scored against the target domain; a user with an empty sequence gets no contribution from it. P^Y(i) of a target
/// item is the source state's softmax over the target items (<c>source_scores: target_items</c>), or 0 as P^Y, a
/// distribution over Y's items, literally gives it (<c>none</c>).</item>
/// </list>
/// Choices where the paper is silent or inconsistent are listed in the docs/models.md ("TEMA-LLM").
/// </summary>
public sealed class Tema : RecommenderModel
{
    private enum Sequence { Target, Source, Mixed }

    private readonly TemaOptions _options;
    private readonly TemaViews _views;
    private readonly ModuleList<CausalTransformer> _encoders;
    private readonly (TemaView View, int Dim)[] _present;
    private readonly double[] _alpha;
    private readonly int _maxLength;
    private readonly long[] _targetItems, _sourceItems;
    private readonly int[] _column;   // item → its column among its domain's candidates
    private readonly bool[] _isTarget;
    private readonly NextItemObjective _objective;

    public TemaOptions Options => _options;

    public Tema(FeatureTables tables, TrainingConfig config) : base(nameof(Tema))
    {
        _options = ModelCatalog.Options<TemaOptions>(config);
        _maxLength = config.MaxLength;
        _objective = ModelCatalog.Objective("tema", config);
        _views = new TemaViews(tables, config.Hidden, _options);
        _present = [.. _views.Present];
        _alpha = FusionWeights(_options, _present.Select(p => p.View).ToList());
        foreach (var (view, dim) in _present)
            if (dim % config.Heads != 0) throw new ArgumentException($"heads: {config.Heads} does not divide the {view.ToString().ToLowerInvariant()} view's width {dim}");
        _encoders = new ModuleList<CausalTransformer>(Enum.GetValues<Sequence>().SelectMany(_ => _present)
            .Select(p => new CausalTransformer(p.Dim, config.Heads, config.Blocks, config.Dropout, config.MaxLength)).ToArray());
        _targetItems = tables.TargetItems.Select(i => (long)i).ToArray();
        _sourceItems = tables.SourceItems.Select(i => (long)i).ToArray();
        _column = new int[tables.ItemCount + 1];
        _isTarget = new bool[tables.ItemCount + 1];
        for (int c = 0; c < _targetItems.Length; c++) { _column[_targetItems[c]] = c; _isTarget[_targetItems[c]] = true; }
        for (int c = 0; c < _sourceItems.Length; c++) _column[_sourceItems[c]] = c;
        RegisterComponents();
        XavierInit.Apply(this);
    }

    /// <summary>α per present view: α₁, α₂, α₃ and 1 − α₁ − α₂ − α₃ for tags, renormalised to sum 1 over the views present.</summary>
    public static double[] FusionWeights(TemaOptions o, IReadOnlyList<TemaView> views)
    {
        var raw = views.Select(v => v switch
        {
            TemaView.Id => o.IdWeight,
            TemaView.Image => o.ImageWeight,
            TemaView.Text => o.TextWeight,
            TemaView.Tag => 1 - o.IdWeight - o.ImageWeight - o.TextWeight,
            _ => 1.0,
        }).ToArray();
        var total = raw.Sum();
        if (total <= 0) throw new ArgumentException($"model_params: the fusion weights of the views present ({string.Join(", ", views)}) sum to 0");
        return raw.Select(r => r / total).ToArray();
    }

    /// <summary>The views and their fusion weights, for inspection and tests.</summary>
    public IReadOnlyList<(TemaView View, double Weight)> ViewWeights => _present.Select((p, k) => (p.View, _alpha[k])).ToList();

    private CausalTransformer Encoder(Sequence s, int view) => _encoders[(int)s * _present.Length + view];

    /// <summary>States h_v [batch, length, d_v] of one sequence under every present view.</summary>
    private List<Tensor> Encode(Sequence s, PaddedSequences input, IReadOnlyList<Tensor> tables, Device device)
    {
        var ids = input.ToTensor(device);
        var keep = ids.ne(KeptScalars.Zero);
        var states = new List<Tensor>();
        for (int v = 0; v < _present.Length; v++)
        {
            var x = _views.Input(_present[v].View, tables[v].index_select(0, ids.flatten()).view(ids.shape[0], ids.shape[1], -1));
            states.Add(Encoder(s, v).forward(x, keep, input.PositionOffset));
        }
        return states;
    }

    /// <summary>log P(candidate) = log Σ_v α_v softmax_v(cos(h_v, E_v[candidates]) / τ): [rows, candidates].</summary>
    private Tensor LogProbabilities(IReadOnlyList<Tensor> states, IReadOnlyList<Tensor> tables, Tensor candidates)
    {
        var perView = new List<Tensor>();
        for (int v = 0; v < _present.Length; v++)
        {
            var h = functional.normalize(states[v], p: 2, dim: -1);
            var e = functional.normalize(tables[v].index_select(0, candidates), p: 2, dim: -1);
            perView.Add(functional.log_softmax(CheckedMatmul.Product(h, e.t()).Over(_options.Temperature), -1).Plus(Math.Log(_alpha[v])));
        }
        return perView.Count == 1 ? perView[0] : stack(perView, 0).logsumexp(0);
    }

    private IReadOnlyList<Tensor> Tables(Device device) => _present.Select(p => _views.Table(p.View, device)).ToList();

    public override Tensor Loss(TrainingBatch batch)
    {
        var device = batch.Device;
        var tables = Tables(device);
        var target = tensor(_targetItems, device: device);
        var source = tensor(_sourceItems, device: device);
        var users = batch.Users;
        Tensor Of(Sequence s, IReadOnlyList<int[]> sequences) => _objective.Kind == LossKind.Ce
            ? SequenceLoss(s, sequences, tables, target, source, device).Over(users.Count)
            : SampledLoss(s, sequences, tables, batch);
        var loss = Of(Sequence.Target, users.Select(u => u.TargetTrain).ToList());
        if (_options.SourceWeight > 0) loss = loss.Plus(Of(Sequence.Source, users.Select(u => u.SourceTrain).ToList()).Times(_options.SourceWeight));
        if (_options.MixedWeight > 0) loss = loss.Plus(Of(Sequence.Mixed, users.Select(u => u.MixedTrain).ToList()).Times(_options.MixedWeight));
        return loss;
    }

    /// <summary>
    /// One sequence's loss under bce, bpr or sampled_softmax (<see cref="NextItemObjective"/>), each next item against
    /// negatives from its own domain. A candidate's logit is log Σ_v α_v exp(cos(h_v, e_v,i) / τ): the fused
    /// probability's numerator, which is the one view's cos/τ when one view is present.
    /// </summary>
    private Tensor SampledLoss(Sequence s, IReadOnlyList<int[]> sequences, IReadOnlyList<Tensor> tables, TrainingBatch batch)
    {
        var device = batch.Device;
        var next = NextItemBatch.From(sequences, _maxLength, Padding.Left, null);
        var total = zeros(1, device: device).squeeze();
        if (next.Positives.All(p => p == 0)) return total;
        var states = cat(Encode(s, next.Input, tables, device), -1);
        var scorer = new MixtureScorer(this, tables);
        var histories = sequences.Select(q => new HashSet<int>(q)).ToList(); // negatives come from outside each user's history
        foreach (var toTarget in new[] { true, false })
        {
            var sampler = toTarget ? batch.TargetNegatives : batch.SourceNegatives;
            var positives = new long[next.Positives.Length];
            var negatives = new long[next.Positives.Length];
            for (int k = 0; k < positives.Length; k++)
            {
                if (next.Positives[k] == 0 || _isTarget[next.Positives[k]] != toTarget) continue;
                positives[k] = next.Positives[k];
                negatives[k] = sampler.Sample(histories[k / next.Input.Length]);
            }
            if (positives.All(p => p == 0)) continue;
            var pool = (toTarget ? _targetItems : _sourceItems).Select(i => (int)i).ToArray();
            total = total.Plus(_objective.Loss(NextItemObjective.Rows(states, positives, negatives, pool), scorer, batch.Random, device));
        }
        return total;
    }

    /// <summary>Logits log Σ_v α_v exp(cos(h_v, e_v,i) / τ) from the views' states concatenated along the last axis.</summary>
    private sealed class MixtureScorer(Tema model, IReadOnlyList<Tensor> tables) : ICandidateScorer
    {
        private IEnumerable<(Tensor H, Tensor Table, double Alpha)> Views(Tensor hidden)
        {
            long offset = 0;
            for (int v = 0; v < model._present.Length; v++)
            {
                var dim = model._present[v].Dim;
                yield return (functional.normalize(hidden.narrow(-1, offset, dim), p: 2, dim: -1), tables[v], model._alpha[v]);
                offset += dim;
            }
        }

        private Tensor Fuse(List<Tensor> perView) => perView.Count == 1 ? perView[0] : stack(perView, 0).logsumexp(0);

        public Tensor Paired(Tensor hidden, Tensor items) => Fuse(Views(hidden).Select(x =>
            (x.H * functional.normalize(x.Table.index_select(0, items), p: 2, dim: -1)).sum(-1).Over(model._options.Temperature).Plus(Math.Log(x.Alpha))).ToList());

        public Tensor Against(Tensor hidden, Tensor candidates) => Fuse(Views(hidden).Select(x =>
            CheckedMatmul.Product(x.H, functional.normalize(x.Table.index_select(0, candidates), p: 2, dim: -1).t()).Over(model._options.Temperature).Plus(Math.Log(x.Alpha))).ToList());
    }

    /// <summary>−Σ log P(next item) over the real positions of one sequence kind; each next item among its own domain's items.</summary>
    private Tensor SequenceLoss(Sequence s, IReadOnlyList<int[]> sequences, IReadOnlyList<Tensor> tables, Tensor target, Tensor source, Device device)
    {
        var next = NextItemBatch.From(sequences, _maxLength, Padding.Left, null);
        var total = zeros(1, device: device).squeeze();
        if (next.Positives.All(p => p == 0)) return total;
        var states = Encode(s, next.Input, tables, device).Select(h => h.reshape(-1, h.shape[2])).ToList();
        foreach (var toTarget in new[] { true, false })
        {
            var rows = Enumerable.Range(0, next.Positives.Length).Where(k => next.Positives[k] != 0 && _isTarget[next.Positives[k]] == toTarget).Select(k => (long)k).ToArray();
            if (rows.Length == 0) continue;
            var index = tensor(rows, device: device);
            var logP = LogProbabilities(states.Select(h => h.index_select(0, index)).ToList(), tables, toTarget ? target : source);
            var columns = tensor(rows.Select(k => (long)_column[next.Positives[k]]).ToArray(), device: device).unsqueeze(1);
            total = total - logP.gather(1, columns).sum();
        }
        return total;
    }

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var tables = Tables(device);
        var target = tensor(_targetItems, device: device);
        var valid = split == EvalSplit.Valid;
        var inputs = new (Sequence Kind, double Weight, List<int[]> Items)[]
        {
            (Sequence.Target, 1.0, users.Select(u => TargetInput(u, split)).ToList()),
            (Sequence.Source, _options.SourceScores == SourceScores.None ? 0 : _options.SourceWeight, users.Select(u => valid ? u.SourceTrain : u.SourceTestInput).ToList()),
            (Sequence.Mixed, _options.MixedWeight, users.Select(u => valid ? u.MixedTrain : u.MixedTestInput).ToList()),
        };
        var probability = zeros(users.Count, _targetItems.Length, device: device);
        foreach (var (kind, weight, items) in inputs)
        {
            if (weight <= 0) continue;
            var padded = PaddedSequences.From(items, _maxLength, Padding.Left);
            var last = Encode(kind, padded, tables, device).Select(h => h[.., -1, ..]).ToList();
            var present = tensor(items.Select(i => i.Length > 0 ? 1f : 0f).ToArray(), device: device).unsqueeze(1);
            probability = probability.Plus(present.Times(weight) * LogProbabilities(last, tables, target).exp());
        }
        return zeros(users.Count, _column.Length, device: device).index_copy(1, target, probability);
    }
}
