using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.Abxi;

/// <summary>
/// ABXI (Bian et al., WWW 2025; DiMarzioBian/ABXI, models/ABXI.py): one encoder shared by the merged sequence x and
/// the two domain sequences A and B, with a domain LoRA per sequence (dLoRA), an invariant projector over x with an
/// invariant LoRA per domain (iLoRA), and task-guided alignment: each prediction is made for the domain of its target.
/// A is the source domain, B the target domain. In the notation of models/ABXI.py, with masks m and m_gt:
/// <code>
/// h_s = Dropout((E[s] + P[pos(s)]) ⊙ m_s)                              s ∈ {x, A, B}, pos counted from the end
/// h_s = LN_mha(h_s + Dropout(MHA(h_s))) ⊙ m_s                           one MHA and LN_mha for all three
/// h_s = LN_s(h_s + Dropout(FFN(h_s)) + Dropout(dLoRA_s(h_s))) ⊙ m_s      one SwiGLU FFN for all three
/// h_i = Proj_i(h_x)
/// h_A' = LN_i2A((h_x + Dropout(h_i) + Dropout(iLoRA_A(h_x))) ⊙ m_gtA) + LN_A2A((h_A + Dropout(Proj_A(h_A))) ⊙ m_gtA)
/// h = h_A' ⊙ m_gtA + h_B' ⊙ m_gtB                                       (B likewise)
/// </code>
/// Training: InfoNCE with temperature τ over the positive and <c>negatives_per_domain</c> items drawn from each domain
/// outside the user's training items, averaged per user over the positions of each domain, L = L_A + L_B. Scoring:
/// the last position's h_A' ranks the A items and h_B' the B items (the evaluator ranks each case in its own domain,
/// so the model never needs to be told the held-out item's domain). Differences from the reference code, and why:
/// docs/models.md, "ABXI against its reference code".
/// </summary>
public sealed class Abxi : RecommenderModel
{
    private readonly FeatureTables _tables;
    private readonly AbxiOptions _options;
    private readonly int _length;
    private readonly bool[] _inA;
    private readonly Embedding _items, _positions;
    private readonly MultiHeadAttention _attention;
    private readonly LayerNorm _attentionNorm;
    private readonly SwiGluFeedForward _feedForward, _projectInvariant, _projectA, _projectB;
    private readonly LowRankAdapter _domainX, _domainA, _domainB, _invariantA, _invariantB;
    private readonly LayerNorm _normX, _normA, _normB, _normInvariantA, _normInvariantB, _normAA, _normBB;
    private readonly Dropout _dropout;

    public Abxi(FeatureTables tables, TrainingConfig config) : base(nameof(Abxi))
    {
        if (config.Blocks != 1) throw new ArgumentException($"blocks: ABXI has one attention layer shared by its three sequences (blocks: 1), not {config.Blocks}");
        _tables = tables;
        _options = ModelCatalog.Options<AbxiOptions>(config);
        _length = config.MaxLength;
        _inA = new bool[tables.ItemCount + 1];
        foreach (var i in tables.SourceItems) _inA[i] = true;
        int d = config.Hidden;
        _items = Embedding(tables.ItemCount + 1, d, padding_idx: 0);
        _positions = Embedding(_length + 1, d, padding_idx: 0);
        _attention = new MultiHeadAttention(d, config.Heads, dropout: 0); // nn.MultiheadAttention's default: no dropout on the weights
        _attentionNorm = LayerNorm(d);
        _feedForward = new SwiGluFeedForward(d, _options.FeedForward);
        _projectInvariant = new SwiGluFeedForward(d, _options.FeedForward);
        _projectA = new SwiGluFeedForward(d, _options.FeedForward);
        _projectB = new SwiGluFeedForward(d, _options.FeedForward);
        _domainX = new LowRankAdapter(d, _options.DomainRank);
        _domainA = new LowRankAdapter(d, _options.DomainRank);
        _domainB = new LowRankAdapter(d, _options.DomainRank);
        _invariantA = new LowRankAdapter(d, _options.InvariantRank);
        _invariantB = new LowRankAdapter(d, _options.InvariantRank);
        (_normX, _normA, _normB) = (LayerNorm(d), LayerNorm(d), LayerNorm(d));
        (_normInvariantA, _normInvariantB, _normAA, _normBB) = (LayerNorm(d), LayerNorm(d), LayerNorm(d), LayerNorm(d));
        _dropout = Dropout(config.Dropout);
        RegisterComponents();
        Initialise(d);
    }

    /// <summary>ABXI's optimiser: AdamW (decoupled weight decay) with PyTorch's default β = (0.9, 0.999).</summary>
    public override OptimizerSettings Optimizer => new(0.9, 0.999, DecoupledWeightDecay: true);

    /// <summary>
    /// initialization.py: linear weights N(0, 0.02²) (biases zero), embeddings truncated N(0, 0.02²) on ±0.04, the LoRA
    /// matrices as they were built. The attention's input projections keep nn.MultiheadAttention's own: one Xavier-uniform
    /// [3d, d] matrix (bound √(6 / 4d)), zero biases; its output projection is a Linear, so N(0, 0.02²).
    /// </summary>
    private void Initialise(int d)
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.StartsWith("_items") || name.StartsWith("_positions")) init.trunc_normal_(p, 0, 0.02, -0.04, 0.04);
            else if (name.Contains("_down") || name.Contains("_up")) continue;
            else if (name.StartsWith("_attention.") && !name.StartsWith("_attention._output") && name.EndsWith("weight"))
                init.uniform_(p, -Math.Sqrt(6.0 / (4 * d)), Math.Sqrt(6.0 / (4 * d)));
            else if (name.EndsWith("bias") && !name.Contains("Norm") && !name.Contains("_norm")) init.zeros_(p);
            else if (p.dim() == 2) init.normal_(p, 0, 0.02);
        }
    }

    /// <summary>
    /// main.py's schedule: LinearLR from 10⁻⁵ over the warm-up epochs, then ReduceLROnPlateau (mode max, no cooldown):
    /// the rate drops by <c>plateau_factor</c> when more than <c>plateau_patience</c> validations in a row were not the
    /// best, and the count starts again. Replayed from the history, so a resumed run gets the same rates.
    /// </summary>
    public override double LearningRateFactor(IReadOnlyList<EpochLog> history, int epoch)
    {
        var warmup = _options.WarmupEpochs;
        if (epoch <= warmup) return 1e-5 + (1 - 1e-5) * (epoch - 1) / warmup;
        double factor = 1;
        int bad = 0;
        foreach (var h in history.Where(h => h.Epoch > warmup && h.ValidationSampled is not null))
        {
            if (h.IsBest) bad = 0;
            else if (_options.PlateauPatience > 0 && ++bad > _options.PlateauPatience) (factor, bad) = (factor * _options.PlateauFactor, 0);
        }
        return factor;
    }

    private bool InA(int item) => _inA[item];

    /// <summary>
    /// The shared attention over a whole sequence, [batch, length, d]: h = LN_mha(h + Dropout(MHA(h))) ⊙ m. Every row
    /// has the same length, and the mask is causal only (nn.MultiheadAttention with attn_mask): padding keys stay visible.
    /// </summary>
    private Tensor Attend(Tensor ids)
    {
        var keep = ids.ne(KeptScalars.Zero);
        var m = keep.unsqueeze(-1).to_type(ScalarType.Float32);
        // Position 1 is the last real item, counting real items back from the end (get_absolute_pos_idx); 0 is padding.
        var position = keep.to_type(ScalarType.Int64).flip(1).cumsum(1).flip(1) * keep.to_type(ScalarType.Int64);
        var h = _dropout.forward(_items.forward(ids).Plus(_positions.forward(position)) * m);
        return _attentionNorm.forward(h.Plus(_dropout.forward(_attention.forward(h, h, AttentionMask.FutureOnly(keep))))) * m;
    }

    /// <summary>
    /// The position-wise rest of an encoder on selected rows [n, d]: LN_s(h + Dropout(FFN(h)) + Dropout(dLoRA_s(h))) ⊙ m.
    /// Position-wise, so computing it only where a loss or a score reads it gives what the reference computes there.
    /// </summary>
    private Tensor FeedForward(Tensor rows, Tensor? keep, LowRankAdapter domain, LayerNorm norm)
    {
        var h = norm.forward(rows.Plus(_dropout.forward(_feedForward.forward(rows))).Plus(_dropout.forward(domain.forward(rows))));
        return keep is null ? h : h * keep;
    }

    /// <summary>h_A' (toward = A) or h_B' of the rows: the invariant interest of x adapted to the domain, plus the domain sequence's own.</summary>
    private Tensor Head(Tensor x, Tensor invariant, Tensor own, bool towardA)
    {
        var (invariantLora, normInvariant, project, normOwn) = towardA
            ? (_invariantA, _normInvariantA, _projectA, _normAA)
            : (_invariantB, _normInvariantB, _projectB, _normBB);
        return normInvariant.forward(x.Plus(_dropout.forward(invariant)).Plus(_dropout.forward(invariantLora.forward(x))))
            .Plus(normOwn.forward(own.Plus(_dropout.forward(project.forward(own)))));
    }

    public override Tensor Loss(TrainingBatch batch)
    {
        var seq = AlignedSequences.ForTraining(batch.Users.Select(u => u.MixedTrain).ToList(), _length, InA);
        var device = batch.Device;
        Tensor T(long[] v) => tensor(v, [seq.Batch, seq.Length], device: device);

        // Real positions only (the reference also counts padding positions toward domain A: docs/models.md).
        var slots = Enumerable.Range(0, seq.Targets.Length).Where(k => seq.Targets[k] != 0).ToArray();
        if (slots.Length == 0) return zeros(1, device: device).squeeze();
        var targets = slots.Select(k => seq.Targets[k]).ToArray();
        var isA = targets.Select(t => InA((int)t)).ToArray();
        // Rows of one sequence's states at the given slots (indices into slots), [rows, d].
        Tensor AtSlots(Tensor full, IEnumerable<int> rows) =>
            full.reshape(-1, full.shape[^1]).index_select(0, tensor(rows.Select(r => (long)slots[r]).ToArray(), device: device));

        var x = FeedForward(AtSlots(Attend(T(seq.Mixed)), Enumerable.Range(0, slots.Length)), null, _domainX, _normX);
        var invariant = _projectInvariant.forward(x);
        var h = zeros(slots.Length, x.shape[^1], device: device);
        foreach (var towardA in new[] { true, false })
        {
            var rowIds = Enumerable.Range(0, slots.Length).Where(r => isA[r] == towardA).ToArray();
            if (rowIds.Length == 0) continue;
            var rows = tensor(rowIds.Select(r => (long)r).ToArray(), device: device);
            var domainIds = towardA ? seq.DomainA : seq.DomainB;
            // A slot whose domain sequence is padding there (the domain's first target) reads a zero state, as ⊙ m_A does.
            var keep = tensor(rowIds.Select(r => domainIds[slots[r]] != 0 ? 1f : 0f).ToArray(), device: device).unsqueeze(1);
            var own = FeedForward(AtSlots(Attend(T(domainIds)), rowIds), keep, towardA ? _domainA : _domainB, towardA ? _normA : _normB);
            h = h.index_copy(0, rows, Head(x.index_select(0, rows), invariant.index_select(0, rows), own, towardA));
        }

        // InfoNCE over [positive, negatives] / τ. The negatives' logits come from one product with the whole item table
        // and a gather: the same logits as gathering each row's 256 embeddings, at a fraction of the memory traffic.
        var negatives = DrawNegatives(batch, seq, slots);
        var positive = (h * _items.forward(tensor(targets, device: device))).sum(-1, keepdim: true);
        var negative = CheckedMatmul.Product(h, _items.weight!.t()).gather(1, negatives);
        negative = where(negatives.eq(KeptScalars.Zero), tensor(float.NegativeInfinity, device: device), negative);
        var logits = cat([positive, negative], 1).Over(_options.Temperature);
        var loss = functional.log_softmax(logits, 1)[.., 0].neg();

        // Per user: the mean over that user's positions of each domain; then the mean over the batch's users (cal_norm_mask).
        var weights = new float[slots.Length];
        var countA = new int[seq.Batch];
        var countB = new int[seq.Batch];
        for (int r = 0; r < slots.Length; r++) (isA[r] ? countA : countB)[slots[r] / seq.Length]++;
        for (int r = 0; r < slots.Length; r++)
        {
            var user = slots[r] / seq.Length;
            weights[r] = 1f / ((isA[r] ? countA[user] : countB[user]) * seq.Batch);
        }
        return (loss * tensor(weights, device: device)).sum();
    }

    /// <summary>
    /// Per position, <c>negatives_per_domain</c> distinct items of each domain outside the user's training sequence
    /// (dataloader.py's get_neg), [positions, 2 × negatives_per_domain]; 0 where a domain has fewer free items.
    /// </summary>
    private Tensor DrawNegatives(TrainingBatch batch, AlignedSequences seq, int[] slots)
    {
        var k = _options.NegativesPerDomain;
        var ids = new long[slots.Length * 2 * k];
        var chosen = new HashSet<int>();
        HashSet<int> history = [];
        int[] pools = [0, 0];
        var lastUser = -1;
        for (int r = 0; r < slots.Length; r++)
        {
            var user = slots[r] / seq.Length;
            if (user != lastUser)
            {
                history = [.. batch.Users[user].MixedTrain];
                pools[0] = _tables.SourceItems.Length - history.Count(i => _inA[i]);
                pools[1] = _tables.TargetItems.Length - history.Count(i => !_inA[i]);
                lastUser = user;
            }
            var at = r * 2 * k;
            for (int domain = 0; domain < 2; domain++)
            {
                var pool = domain == 0 ? _tables.SourceItems : _tables.TargetItems;
                chosen.Clear();
                var want = Math.Min(k, pools[domain]);
                while (chosen.Count < want)
                {
                    var item = pool[batch.Random.Next(pool.Length)];
                    if (!history.Contains(item)) chosen.Add(item);
                }
                // A domain with fewer free items than k leaves the rest as padding, whose logits are masked (the reference fails there).
                foreach (var item in chosen) ids[at++] = item;
                at += k - chosen.Count;
            }
        }
        return tensor(ids, [slots.Length, 2 * k], device: batch.Device);
    }

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var seq = AlignedSequences.ForScoring(users.Select(u => _tables.SequenceInput(u, split)).ToList(), _length, InA, _options.ScoringInputs,
            _tables.SourceItems.FirstOrDefault(), _tables.TargetItems.FirstOrDefault());
        Tensor Last(long[] ids) => Attend(tensor(ids, [seq.Batch, seq.Length], device: device))[.., -1, ..];
        // The reference takes the last position and drops the masks there (mask = 1): a padded last slot still gets its norm.
        var x = FeedForward(Last(seq.Mixed), null, _domainX, _normX);
        var invariant = _projectInvariant.forward(x);
        var towardA = Head(x, invariant, FeedForward(Last(seq.DomainA), null, _domainA, _normA), towardA: true);
        var towardB = Head(x, invariant, FeedForward(Last(seq.DomainB), null, _domainB, _normB), towardA: false);
        var table = _items.weight!;
        // Columns of A items from h_A', of B items from h_B': each case is ranked among its own domain's items.
        return where(tensor(_inA, device: device).unsqueeze(0), CheckedMatmul.Product(towardA, table.t()), CheckedMatmul.Product(towardB, table.t()));
    }
}
