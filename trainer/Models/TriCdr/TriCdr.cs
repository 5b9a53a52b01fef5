using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.TriCdr;

/// <summary>
/// Tri-CDR (Ma et al., "Triple Sequence Learning for Cross-domain Recommendation", TOIS 2024; hulkima/Tri-CDR,
/// model.py, Tri_CDR.py, utils.py): a <see cref="TriCdrTower"/> for the target domain, trained with its reference objective
/// L = L_rec + cl_weight · Σ rate_pair · NT-Xent(pair) + triplet_weight · Triplet(source, mix, target), where L_rec is
/// binary cross-entropy on one positive and one negative per target slot, the NT-Xent pairs are (mix, source),
/// (mix, target) and (source, target) over the users of the batch, and the triplet pulls the source branch towards
/// the mix branch and away from the target branch.
/// The reference is a target-domain model (one run per target domain); under mixed_loo the catalog runs one instance
/// per domain (<see cref="DomainTowers"/>). Differences from the reference code: docs/models.md, "Tri-CDR".
/// </summary>
public sealed class TriCdr : RecommenderModel
{
    private readonly FeatureTables _tables;
    private readonly TriCdrOptions _options;
    private readonly int _maxLength;
    private readonly TriCdrTower _tower;

    public TriCdr(FeatureTables tables, TrainingConfig config) : base(nameof(TriCdr))
    {
        _tables = tables;
        _options = ModelCatalog.Options<TriCdrOptions>(config);
        _maxLength = config.MaxLength;
        var semantics = _options.SemanticViews ? new SemaCdr.MultiViewItems(tables, config.Hidden, _options.Semantics) : null;
        _tower = new TriCdrTower(nameof(TriCdrTower), tables.ItemCount, config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength, semantics);
        RegisterComponents();
        // Tri_CDR.py: xavier_normal_ on every parameter it accepts (every matrix; vectors keep their defaults).
        XavierInit.Apply(this);
    }

    /// <summary>ExponentialLR stepped after every epoch: epoch e trains at γ^(e−1) times the rate.</summary>
    /// <remarks>Pretraining epochs run at the base rate, as the reference's separate SASRec trainings; the decay starts after them.</remarks>
    public override double LearningRateFactor(IReadOnlyList<EpochLog> history, int epoch) =>
        epoch <= _options.PretrainEpochs ? 1 : Math.Pow(_options.LrDecay, epoch - _options.PretrainEpochs - 1);

    public override int PretrainEpochs => _options.PretrainEpochs;

    private bool InTarget(int item) => !_tables.IsSourceItem(item);

    /// <summary>The objective over the batch's target slots (zero when no user of the batch has one).</summary>
    public override Tensor Loss(TrainingBatch batch)
    {
        if (_options.PretrainEpochs > 0 && batch.Epoch <= _options.PretrainEpochs) return Pretrain(batch);
        var device = batch.Device;
        var input = TriCdrInputs.ForTraining(batch.Users.Select(u => u.MixedTrain).ToList(), InTarget, _maxLength, batch.TargetNegatives);
        if (input.Rows == 0) return zeros(1, device: device).squeeze();
        var (fused, mix, source, target, views) = _tower.Forward(input, device);
        var positiveLogits = _tower.Cosine(fused, tensor(input.Positives, device: device), views).Times(_options.Temperature);
        var negativeLogits = _tower.Cosine(fused, tensor(input.Negatives, device: device), views).Times(_options.Temperature);
        var rec = functional.binary_cross_entropy_with_logits(positiveLogits, ones_like(positiveLogits))
            .Plus(functional.binary_cross_entropy_with_logits(negativeLogits, zeros_like(negativeLogits)));

        // The contrastive terms read each user's last slot (users without one are left out, as the reference samples only users with one).
        var last = tensor(input.LastRows, device: device);
        var (m, s, t) = (mix.index_select(0, last), source.index_select(0, last), target.index_select(0, last));
        var rates = _options.RateMixSource + _options.RateMixTarget + _options.RateSourceTarget;
        // model.py's NTXentLoss: cosine similarities over the 2n vectors of a pair of branches.
        Tensor NtXent(Tensor x, Tensor y) => PairContrast.Loss(x, y, _options.ContrastiveTemperature, cosine: true);
        var contrastive = NtXent(m, s).Times(_options.RateMixSource / rates)
            .Plus(NtXent(m, t).Times(_options.RateMixTarget / rates))
            .Plus(NtXent(s, t).Times(_options.RateSourceTarget / rates));
        var triplet = Triplet(anchor: s, positive: m, negative: t);
        var loss = rec.Plus(contrastive.Times(_options.ContrastiveWeight)).Plus(triplet.Times(_options.TripletWeight));
        // Enhanced Tri-CDR: SemaCDR's view-contrastive term over the batch's items.
        if (views is { } v)
            loss = loss.Plus(_tower.SemanticLoss(v, input.Target.Items.Concat(input.Source.Items).Concat(input.Mixed.Items).Concat(input.Positives), device));
        return loss;
    }

    /// <summary>
    /// SASRec's objective for each encoder on its own sequences, as the reference's pretrained checkpoints were trained:
    /// the target encoder on each user's target items, the source encoder on the source items, the mix encoder on the
    /// merged sequence (its negatives drawn from both domains), summed.
    /// </summary>
    private Tensor Pretrain(TrainingBatch batch)
    {
        var merged = batch.Users.Select(u => u.MixedTrain).ToList();
        var both = new NegativeSampler([.. _tables.SourceItems.Concat(_tables.TargetItems)], batch.Random);
        return _tower.PretrainLoss(TriCdrTower.Branch.Target, NextItemBatch.From([.. merged.Select(s => s.Where(InTarget).ToArray())], _maxLength, Padding.Left, batch.TargetNegatives), batch.Device)
            .Plus(_tower.PretrainLoss(TriCdrTower.Branch.Source, NextItemBatch.From([.. merged.Select(s => s.Where(i => !InTarget(i)).ToArray())], _maxLength, Padding.Left, batch.SourceNegatives), batch.Device))
            .Plus(_tower.PretrainLoss(TriCdrTower.Branch.Mix, NextItemBatch.From(merged, _maxLength, Padding.Left, both), batch.Device));
    }

    /// <summary>torch.nn.TripletMarginLoss (p = 2, eps 1e-6 added to the differences, mean over users).</summary>
    private Tensor Triplet(Tensor anchor, Tensor positive, Tensor negative)
    {
        Tensor Distance(Tensor x, Tensor y) => (x - y).Plus(1e-6).pow(KeptScalars.Of(2L)).sum(-1).sqrt();
        return (Distance(anchor, positive) - Distance(anchor, negative)).Plus(_options.TripletMargin).clamp_min(KeptScalars.Zero).mean();
    }

    /// <summary>Every item scored from the merged input at the split (the last target item's slot queries it all).</summary>
    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var input = TriCdrInputs.ForScoring(users.Select(u => split == EvalSplit.Valid ? u.MixedTrain : u.MixedTestInput).ToList(), InTarget, _maxLength);
        var forward = _tower.Forward(input, device);
        return _tower.CosineAll(forward.Fused, forward.Views).Times(_options.Temperature);
    }
}
