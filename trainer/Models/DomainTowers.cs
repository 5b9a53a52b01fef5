using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models;

/// <summary>
/// A target-domain model under mixed_loo, where a case may be in either domain: one instance per domain, the
/// source domain's built on the role-exchanged tables (<see cref="FeatureTables.PredictingDomain"/>), both trained
/// on the same batches, each domain's items scored by its own instance. Their parameters are disjoint, so this is
/// two runs of the model, one per target domain (what Tri-CDR's and SemaCDR's code would need), sharing the batches
/// and the epoch the shared validation selects.
/// </summary>
public sealed class DomainTowers : RecommenderModel
{
    private static readonly string[] Domains = ["target", "source"];
    private readonly FeatureTables[] _views;
    private readonly ModuleList<RecommenderModel> _towers;

    public DomainTowers(FeatureTables tables, Func<FeatureTables, RecommenderModel> create) : base(nameof(DomainTowers))
    {
        _views = [.. Domains.Select(tables.PredictingDomain)];
        _towers = new ModuleList<RecommenderModel>([.. _views.Select(create)]);
        RegisterComponents();
    }

    private static IReadOnlyList<FeatureTables.UserRow> Seen(int tower, IEnumerable<FeatureTables.UserRow> users) =>
        tower == 0 ? [.. users] : [.. users.Select(FeatureTables.WithRolesExchanged)];

    public override Tensor Loss(TrainingBatch batch)
    {
        Tensor? total = null;
        for (int t = 0; t < _towers.Count; t++)
        {
            // Each instance draws its negatives from the domain it predicts (the batch's own sampler draws from both).
            var loss = _towers[t].Loss(new TrainingBatch
            {
                Users = Seen(t, batch.Users), Random = batch.Random, Device = batch.Device, Epoch = batch.Epoch,
                TargetNegatives = new NegativeSampler(_views[t].TargetItems, batch.Random),
                SourceNegatives = new NegativeSampler(_views[t].SourceItems, batch.Random),
            });
            total = total is null ? loss : total.Plus(loss);
        }
        return total!;
    }

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var scores = _towers[0].Score(Seen(0, users), split, device);
        var columns = tensor(_views[1].TargetItems.Select(i => (long)i).ToArray(), device: device);
        return scores.index_copy(1, columns, _towers[1].Score(Seen(1, users), split, device).index_select(1, columns));
    }

    public override IEnumerable<(IEnumerable<Parameter> Parameters, double LearningRate)> ParameterGroups(TrainingConfig config) =>
        _towers.SelectMany(t => t.ParameterGroups(config));

    public override OptimizerSettings Optimizer => _towers[0].Optimizer;

    public override int PretrainEpochs => _towers.Max(t => t.PretrainEpochs);

    public override double LearningRateFactor(IReadOnlyList<EpochLog> history, int epoch) => _towers[0].LearningRateFactor(history, epoch);

    /// <summary>Each instance's learned scalars, prefixed with the domain it predicts.</summary>
    public override IReadOnlyDictionary<string, double> LearnedWeights =>
        _towers.Select((t, i) => (t, i)).SelectMany(x => x.t.LearnedWeights.Select(kv => ($"{Domains[x.i]}_{kv.Key}", kv.Value))).ToDictionary();

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var t in _towers) t.Dispose();
        base.Dispose(disposing);
    }
}
