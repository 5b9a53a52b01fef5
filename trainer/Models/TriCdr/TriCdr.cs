using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.TriCdr;

/// <summary>
/// Tri-CDR (Ma et al., "Triple Sequence Learning for Cross-domain Recommendation", TOIS 2024; hulkima/Tri-CDR,
/// model.py, Tri_CDR.py, utils.py): a <see cref="TriCdrTower"/> per target domain, trained with its reference objective
/// L = L_rec + cl_weight · Σ rate_pair · NT-Xent(pair) + triplet_weight · Triplet(source, mix, target), where L_rec is
/// binary cross-entropy on one positive and one negative per target slot, the NT-Xent pairs are (mix, source),
/// (mix, target) and (source, target) over the users of the batch, and the triplet pulls the source branch towards
/// the mix branch and away from the target branch.
/// The reference is a target-domain model (one run per target domain). Under target_loo the tower predicts the target
/// domain; under mixed_loo there is one tower per domain, each trained on its domain's next items from the same
/// batches (their parameters are disjoint, so this is two runs sharing the batches and the epoch selection), and a
/// case is scored by its domain's tower. Differences from the reference code: docs/models.md, "Tri-CDR".
/// </summary>
public sealed class TriCdr : RecommenderModel
{
    private readonly FeatureTables _tables;
    private readonly TriCdrOptions _options;
    private readonly int _maxLength;
    private readonly ModuleList<TriCdrTower> _towers;
    // The domain each tower predicts ("target" first; "source" too under mixed_loo).
    private readonly string[] _domains;

    public TriCdr(FeatureTables tables, TrainingConfig config) : base(nameof(TriCdr))
    {
        _tables = tables;
        _options = ModelCatalog.Options<TriCdrOptions>(config);
        _maxLength = config.MaxLength;
        _domains = tables.IsMixedLoo ? ["target", "source"] : ["target"];
        _towers = new ModuleList<TriCdrTower>(_domains.Select(d =>
            new TriCdrTower(d, tables.ItemCount, config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength)).ToArray());
        RegisterComponents();
        // Tri_CDR.py: xavier_normal_ on every parameter it accepts (every matrix; vectors keep their defaults).
        XavierInit.Apply(this);
    }

    /// <summary>ExponentialLR stepped after every epoch: epoch e trains at γ^(e−1) times the rate.</summary>
    public override double LearningRateFactor(IReadOnlyList<EpochLog> history, int epoch) => Math.Pow(_options.LrDecay, epoch - 1);

    private Func<int, bool> InDomain(string domain) => domain == "source" ? _tables.IsSourceItem : i => !_tables.IsSourceItem(i);

    public override Tensor Loss(TrainingBatch batch)
    {
        var merged = batch.Users.Select(u => u.MixedTrain).ToList();
        Tensor? total = null;
        for (int t = 0; t < _towers.Count; t++)
        {
            var sampler = _domains[t] == "target" && !_tables.IsMixedLoo ? batch.TargetNegatives : new NegativeSampler(_tables.ItemsOf(_domains[t]), batch.Random);
            var input = TriCdrInputs.ForTraining(merged, InDomain(_domains[t]), _maxLength, sampler);
            var loss = TowerLoss(_towers[t], input, batch.Device);
            if (loss is not null) total = total is null ? loss : total.Plus(loss);
        }
        return total ?? zeros(1, device: batch.Device).squeeze();
    }

    /// <summary>One tower's objective over its slots, or null when no user of the batch has a slot there.</summary>
    private Tensor? TowerLoss(TriCdrTower tower, TriCdrInputs input, Device device)
    {
        var rows = Enumerable.Range(0, input.Positives.Length).Where(i => input.Positives[i] != 0).Select(i => (long)i).ToArray();
        if (rows.Length == 0) return null;
        var (fused, mix, source, target) = tower.Forward(input, device);
        var index = tensor(rows, device: device);
        var states = fused.reshape(-1, fused.shape[^1]).index_select(0, index);
        var positives = tensor(input.Positives, device: device).index_select(0, index);
        var negatives = tensor(input.Negatives, device: device).index_select(0, index);
        var positiveLogits = tower.Cosine(states, positives).Times(_options.Temperature);
        var negativeLogits = tower.Cosine(states, negatives).Times(_options.Temperature);
        var rec = functional.binary_cross_entropy_with_logits(positiveLogits, ones_like(positiveLogits))
            .Plus(functional.binary_cross_entropy_with_logits(negativeLogits, zeros_like(negativeLogits)));

        // The contrastive terms read each user's last slot: only users with a slot (the reference samples only those).
        var users = Enumerable.Range(0, input.Batch).Where(u => input.Positives[u * input.Slots + input.Slots - 1] != 0).Select(u => (long)u).ToArray();
        var who = tensor(users, device: device);
        var (m, s, t) = (mix.index_select(0, who), source.index_select(0, who), target.index_select(0, who));
        var rates = _options.RateMixSource + _options.RateMixTarget + _options.RateSourceTarget;
        var contrastive = NtXent(m, s).Times(_options.RateMixSource / rates)
            .Plus(NtXent(m, t).Times(_options.RateMixTarget / rates))
            .Plus(NtXent(s, t).Times(_options.RateSourceTarget / rates));
        var triplet = Triplet(anchor: s, positive: m, negative: t);
        return rec.Plus(contrastive.Times(_options.ContrastiveWeight)).Plus(triplet.Times(_options.TripletWeight));
    }

    /// <summary>
    /// model.py's NTXentLoss: over the 2n normalised vectors, −log(exp(s⁺/τ) / Σ_{j≠i} exp(s_ij/τ)), its
    /// positive being the same user's other view; computed with log-sum-exp instead of subtracting e^(1/τ).
    /// </summary>
    private Tensor NtXent(Tensor a, Tensor b)
    {
        var n = a.shape[0];
        var both = cat([functional.normalize(a, p: 2, dim: 1), functional.normalize(b, p: 2, dim: 1)], 0);
        var logits = both.matmul(both.t()).Over(_options.ContrastiveTemperature);
        logits = logits.masked_fill(eye(2 * n, dtype: ScalarType.Bool, device: a.device), KeptScalars.Of(-1e9));
        var positive = (both[..(int)n] * both[(int)n..]).sum(-1).Over(_options.ContrastiveTemperature);
        return (logits.logsumexp(1) - cat([positive, positive], 0)).mean();
    }

    /// <summary>torch.nn.TripletMarginLoss (p = 2, eps 1e-6 added to the differences, mean over users).</summary>
    private Tensor Triplet(Tensor anchor, Tensor positive, Tensor negative)
    {
        Tensor Distance(Tensor x, Tensor y) => (x - y).Plus(1e-6).pow(KeptScalars.Of(2L)).sum(-1).sqrt();
        return (Distance(anchor, positive) - Distance(anchor, negative)).Plus(_options.TripletMargin).clamp_min(KeptScalars.Zero).mean();
    }

    /// <summary>Each domain's items scored by the tower that predicts that domain, from the merged input at the split.</summary>
    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var merged = users.Select(u => split == EvalSplit.Valid ? u.MixedTrain : u.MixedTestInput).ToList();
        Tensor? scores = null;
        for (int t = 0; t < _towers.Count; t++)
        {
            var input = TriCdrInputs.ForScoring(merged, InDomain(_domains[t]), _maxLength);
            var fused = _towers[t].Forward(input, device).Fused[.., -1, ..];
            var all = _towers[t].CosineAll(fused).Times(_options.Temperature);
            if (scores is null) scores = all;
            else
            {
                var columns = tensor(_tables.ItemsOf(_domains[t]).Select(i => (long)i).ToArray(), device: device);
                scores = scores.index_copy(1, columns, all.index_select(1, columns));
            }
        }
        return scores!;
    }
}
