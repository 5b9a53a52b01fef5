using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.C2dsr;

/// <summary>
/// C2DSR (Cao et al., CIKM 2022; cjx96/C2DSR, model/C2DSR.py and model/trainer.py). Three item tables (E for the
/// merged sequence, E_X and E_Y for the domain sequences), each refined by a GCN over an item graph built from the
/// training sequences (the cross-domain transition graph for E, the single-domain one for E_X and E_Y; C2dsrGraphs);
/// three SASRec encoders over (GCN(E)[s] + E[s]) √d. Prediction: the shared heads score the next item of either
/// domain from the merged sequence's state h (W_X h, W_Y h, with a PAD class for positions whose next item is in the
/// other domain); the domain heads score the next item of a domain from h + h_X (h + h_Y). The contrastive infomax:
/// a bilinear discriminator tells the mean domain-sequence state from the mean merged-sequence state of the other
/// domain's positions, against the same over a merged sequence whose other domain's items are random.
/// L = λ (L_share^X + L_share^Y + L_X + L_Y) + (1 − λ)(L_MI^X + L_MI^Y). Scoring: X items by W_X (h_last + h_X at the
/// last X position), Y items by W_Y likewise. Under target_loo (SemaCDR's protocol, its Tables 1 and 2) it trains the same way
/// on the merged training sequence and only its target cases are scored. Differences from the reference code:
/// docs/models.md, "C2DSR".
/// </summary>
public sealed class C2dsr : RecommenderModel
{
    private readonly FeatureTables _tables;
    private readonly C2dsrOptions _options;
    private readonly int _length, _hidden;
    private readonly bool[] _isSource;
    private readonly long[] _classOf; // global item → its row in its domain's head (0-based)
    private readonly Embedding _items, _itemsX, _itemsY;
    private readonly GcnStack _gcn, _gcnX, _gcnY;
    private readonly CausalTransformer _encoder, _encoderX, _encoderY;
    private readonly Linear _headX, _headY, _headPad;
    private readonly Bilinear _discriminatorX, _discriminatorY;
    private readonly C2dsrGraphs _graphs;
    private readonly SemaCdr.MultiViewItems? _semantics;

    public C2dsr(FeatureTables tables, TrainingConfig config) : base(nameof(C2dsr))
    {
        _tables = tables;
        _options = ModelCatalog.Options<C2dsrOptions>(config);
        _length = config.MaxLength;
        _hidden = config.Hidden;
        _isSource = new bool[tables.ItemCount + 1];
        _classOf = new long[tables.ItemCount + 1];
        for (int k = 0; k < tables.SourceItems.Length; k++) (_isSource[tables.SourceItems[k]], _classOf[tables.SourceItems[k]]) = (true, k);
        for (int k = 0; k < tables.TargetItems.Length; k++) _classOf[tables.TargetItems[k]] = k;
        int n = tables.ItemCount + 1, d = config.Hidden;
        _items = Embedding(n, d, padding_idx: 0);
        _itemsX = Embedding(n, d, padding_idx: 0);
        _itemsY = Embedding(n, d, padding_idx: 0);
        _gcn = new GcnStack(d, _options.GnnLayers, config.Dropout);
        _gcnX = new GcnStack(d, _options.GnnLayers, config.Dropout);
        _gcnY = new GcnStack(d, _options.GnnLayers, config.Dropout);
        // Positions run 1..length (0 is padding): one more row than the length.
        _encoder = new CausalTransformer(d, config.Heads, config.Blocks, config.Dropout, _length + 1);
        _encoderX = new CausalTransformer(d, config.Heads, config.Blocks, config.Dropout, _length + 1);
        _encoderY = new CausalTransformer(d, config.Heads, config.Blocks, config.Dropout, _length + 1);
        _headX = Linear(d, tables.SourceItems.Length);
        _headY = Linear(d, tables.TargetItems.Length);
        _headPad = Linear(d, 1);
        _discriminatorX = Bilinear(d, d, 1);
        _discriminatorY = Bilinear(d, d, 1);
        if (_options.SemanticViews) _semantics = new SemaCdr.MultiViewItems(tables, d, _options.Semantics);
        RegisterComponents();
        using (no_grad())
            foreach (var b in new[] { _discriminatorX, _discriminatorY })
            {
                init.xavier_uniform_(b.weight!);
                init.zeros_(b.bias!);
            }
        // Training sequences only: a graph built from validation or test items would leak them.
        _graphs = new C2dsrGraphs(tables.Users.Select(u => u.MixedTrain), i => _isSource[i], n);
    }

    /// <summary>C2DSR's optimiser: Adam with PyTorch's default β = (0.9, 0.999) and an L2 term (--weight_decay 5e-4).</summary>
    public override OptimizerSettings Optimizer => new(0.9, 0.999, DecoupledWeightDecay: false);

    private bool IsSource(int item) => _isSource[item];

    /// <summary>The three item tables E, E_X, E_Y: as learned, or each W [e^ID ⊕ e^inn ⊕ e^agn] with <c>semantic_views</c> (and the views, for the contrastive term).</summary>
    private (Tensor E, Tensor X, Tensor Y, (Tensor, Tensor)? Views) Tables(Device device)
    {
        if (_semantics is null) return (_items.weight!, _itemsX.weight!, _itemsY.weight!, null);
        var views = _semantics.Compute(device);
        return (_semantics.EnrichAll(views, _items.weight!), _semantics.EnrichAll(views, _itemsX.weight!), _semantics.EnrichAll(views, _itemsY.weight!), views);
    }

    /// <summary>GCN(E), GCN(E_X), GCN(E_Y) over every item (graph_convolution; once per batch, as the reference).</summary>
    private (Tensor Cross, Tensor X, Tensor Y) Convolve((Tensor E, Tensor X, Tensor Y, (Tensor, Tensor)? Views) tables, Device device)
    {
        var (cross, single) = _graphs.On(device);
        return (_gcn.forward(cross, tables.E), _gcnX.forward(single, tables.X), _gcnY.forward(single, tables.Y));
    }

    /// <summary>An encoder over (graph[ids] + table[ids]) √d at the given positions, [batch, length, d].</summary>
    private Tensor Encode(CausalTransformer encoder, Tensor graph, Embedding table, Tensor enriched, long[] ids, long[] positions, int batch, Device device)
    {
        var idTensor = tensor(ids, [batch, _length], device: device);
        var rows = _semantics is null ? table.forward(idTensor) : SemaCdr.ItemViews.Rows(enriched, idTensor);
        var x = graph.index_select(0, idTensor.flatten()).view(batch, _length, _hidden).Plus(rows).Times(Math.Sqrt(_hidden));
        return encoder.ForwardAt(x, idTensor.ne(KeptScalars.Zero), tensor(positions, [batch, _length], device: device));
    }

    public override Tensor Loss(TrainingBatch batch)
    {
        var device = batch.Device;
        var inp = C2dsrInputs.ForTraining(batch.Users.Select(u => u.MixedTrain).ToList(), _length, IsSource, _tables.SourceItems, _tables.TargetItems, batch.Random);
        if (inp.Batch == 0) return zeros(1, device: device).squeeze();
        int b = inp.Batch, l = inp.Length;
        var tables = Tables(device);
        var (cross, graphX, graphY) = Convolve(tables, device);
        var h = Encode(_encoder, cross, _items, tables.E, inp.Mixed, inp.Positions, b, device);
        var hX = Encode(_encoderX, graphX, _itemsX, tables.X, inp.SourceSeq, inp.SourcePositions, b, device);
        var hY = Encode(_encoderY, graphY, _itemsY, tables.Y, inp.TargetSeq, inp.TargetPositions, b, device);
        var corruptTarget = Encode(_encoder, cross, _items, tables.E, inp.CorruptTarget, inp.Positions, b, device);
        var corruptSource = Encode(_encoder, cross, _items, tables.E, inp.CorruptSource, inp.Positions, b, device);

        // The infomax over each domain's positions (x_ground_mask, y_ground_mask), averaged per user.
        Tensor MeanWeights(long[] next) => Normalised(next.Select(i => i != 0 ? 1f : 0f).ToArray(), b, l, device);
        var wX = MeanWeights(inp.NextSource);
        var wY = MeanWeights(inp.NextTarget);
        Tensor Mean(Tensor states, Tensor w) => (states * w.unsqueeze(-1)).sum(1);
        var (rX, rY) = (Mean(hX, wX), Mean(hY, wY));
        var (realX, realY) = (Mean(h, wX), Mean(h, wY));
        var (falseX, falseY) = (Mean(corruptTarget, wX), Mean(corruptSource, wY));
        Tensor Bce(Tensor logits, float label) => functional.binary_cross_entropy_with_logits(logits, full_like(logits, label));
        var miX = Bce(_discriminatorX.forward(realY, rX), 1).Plus(Bce(_discriminatorX.forward(falseY, rX), 0));
        var miY = Bce(_discriminatorY.forward(realX, rY), 1).Plus(Bce(_discriminatorY.forward(falseX, rY), 0));

        // Prediction losses on the last loss_positions positions; masked positions count in the mean, as trainer.py's .mean().
        var p = Math.Min(_options.LossPositions, l);
        Tensor Last(Tensor states) => states[.., (l - p)..l, ..];
        var (hp, hXp, hYp) = (Last(h), Last(hX), Last(hY));
        var shareX = CrossEntropy(hp, null, _headX, inp.Next, source: true, b, l, p, device);
        var shareY = CrossEntropy(hp, null, _headY, inp.Next, source: false, b, l, p, device);
        var specificX = CrossEntropy(hp, hXp, _headX, inp.NextSource, source: true, b, l, p, device);
        var specificY = CrossEntropy(hp, hYp, _headY, inp.NextTarget, source: false, b, l, p, device);
        var prediction = shareX.Plus(shareY).Plus(specificX).Plus(specificY);
        var loss = prediction.Times(_options.Lambda).Plus(miX.Plus(miY).Times(1 - _options.Lambda));
        // Enhanced C2DSR: SemaCDR's view-contrastive term over the batch's items, E as the ID view.
        if (tables.Views is { } views) loss = loss.Plus(_semantics!.Contrastive(views, _items.weight!, inp.Mixed.Concat(inp.Next), device));
        return loss;
    }

    /// <summary>
    /// Cross-entropy of each of the last <paramref name="p"/> positions against its next item when that is of the head's
    /// domain, over the domain's items and the PAD class (the head on h, or on h + h_domain with PAD read from h_domain);
    /// positions whose next item is elsewhere count zero in the mean over every position, as trainer.py's masked
    /// .mean(). Only the counted rows are scored: the others add nothing to the loss or its gradient.
    /// </summary>
    private Tensor CrossEntropy(Tensor shared, Tensor? specific, Linear head, long[] next, bool source, int b, int l, int p, Device device)
    {
        List<long> rows = [], labels = [];
        for (int u = 0; u < b; u++)
            for (int k = 0; k < p; k++)
            {
                var item = (int)next[u * l + l - p + k];
                if (item == 0 || _isSource[item] != source) continue;
                rows.Add(u * p + k);
                labels.Add(_classOf[item]);
            }
        if (rows.Count == 0) return zeros(1, device: device).squeeze();
        var index = tensor(rows.ToArray(), device: device);
        Tensor Rows(Tensor states) => states.reshape(-1, _hidden).index_select(0, index);
        var h = Rows(shared);
        var (input, padInput) = specific is null ? (h, h) : (h.Plus(Rows(specific)), Rows(specific));
        var logits = cat([head.forward(input), _headPad.forward(padInput)], -1);
        var losses = functional.cross_entropy(logits, tensor(labels.ToArray(), device: device), reduction: Reduction.Sum);
        return losses.Over(b * p);
    }

    private static Tensor Normalised(float[] weights, int b, int l, Device device)
    {
        for (int u = 0; u < b; u++)
        {
            var sum = 0f;
            for (int k = 0; k < l; k++) sum += weights[u * l + k];
            for (int k = 0; k < l; k++) weights[u * l + k] = sum == 0 ? 0 : weights[u * l + k] / sum;
        }
        return tensor(weights, [b, l], device: device);
    }

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var inp = C2dsrInputs.ForScoring(users.Select(u => split == EvalSplit.Valid ? u.MixedTrain : u.MixedTestInput).ToList(), _length, IsSource);
        int b = inp.Batch, l = inp.Length;
        var tables = Tables(device);
        var (cross, graphX, graphY) = Convolve(tables, device);
        var h = Encode(_encoder, cross, _items, tables.E, inp.Mixed, inp.Positions, b, device)[.., -1, ..];
        var hX = Encode(_encoderX, graphX, _itemsX, tables.X, inp.SourceSeq, inp.SourcePositions, b, device);
        var hY = Encode(_encoderY, graphY, _itemsY, tables.Y, inp.TargetSeq, inp.TargetPositions, b, device);
        // Each domain sequence's state at its last item (X_last, Y_last; the last slot when the domain is absent).
        Tensor AtLast(Tensor states, long[] positions)
        {
            var last = new long[b];
            for (int u = 0; u < b; u++)
            {
                last[u] = l - 1;
                for (int k = l - 1; k >= 0; k--) if (positions[u * l + k] != 0) { last[u] = k; break; }
            }
            return states[KeptScalars.Arange(0, b, device), tensor(last, device: device)];
        }
        var scoresX = _headX.forward(h.Plus(AtLast(hX, inp.SourcePositions)));
        var scoresY = _headY.forward(h.Plus(AtLast(hY, inp.TargetPositions)));
        var scores = zeros(b, _tables.ItemCount + 1, device: device);
        scores = scores.index_copy(1, tensor(_tables.SourceItems.Select(i => (long)i).ToArray(), device: device), scoresX);
        return scores.index_copy(1, tensor(_tables.TargetItems.Select(i => (long)i).ToArray(), device: device), scoresY);
    }
}
