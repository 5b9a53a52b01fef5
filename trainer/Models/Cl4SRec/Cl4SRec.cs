using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.Cl4SRec;

/// <summary>
/// CL4SRec (Xie et al., "Contrastive Learning for Sequential Recommendation", ICDE 2022; read against RecBole's
/// cl4srec.py): the <see cref="SasRec"/> encoder trained with its next-item objective plus λ times an InfoNCE between
/// two augmented views of each user's training input (<see cref="SequenceAugmentations"/>), compared at their last
/// position against the other 2n − 2 views of the batch. Masked items read a learned mask token (the item table's row
/// after the items); scores come from SASRec unchanged, so the augmentations act only through training. It predicts
/// as SASRec does under either protocol. Differences from RecBole's code: docs/models.md, "CL4SRec".
/// </summary>
public sealed class Cl4SRec : RecommenderModel
{
    private readonly SasRec _encoder;
    private readonly Cl4SRecOptions _options;
    private readonly SequenceAugmentations _augmentations;
    private readonly FeatureTables _tables;
    private readonly int _maxLength;

    public Cl4SRec(FeatureTables tables, TrainingConfig config) : base(nameof(Cl4SRec))
    {
        _options = ModelCatalog.Options<Cl4SRecOptions>(config);
        _tables = tables;
        _maxLength = config.MaxLength;
        _augmentations = new SequenceAugmentations(_options.CropRatio, _options.MaskRatio, _options.ReorderRatio, maskToken: tables.ItemCount + 1);
        _encoder = new SasRec(tables, config, new SasRecOptions(), ModelCatalog.Objective("cl4srec", config), extraTokens: 1);
        RegisterComponents();
    }

    public override Tensor Loss(TrainingBatch batch)
    {
        var rec = _encoder.Loss(batch);
        if (_options.ContrastiveWeight == 0) return rec;
        // The views augment what the encoder reads: the training sequence without its last item (only a positive).
        var inputs = batch.Users.Select(u => _tables.SequenceTrain(u)).Where(s => s.Length >= 2).Select(s => s[..^1]).ToList();
        if (inputs.Count < 2) return rec;
        var views = inputs.Select(s => _augmentations.Pair(s, batch.Random)).ToList();
        var first = LastStates(views.Select(v => v.First).ToList(), batch.Device);
        var second = LastStates(views.Select(v => v.Second).ToList(), batch.Device);
        var contrast = PairContrast.Loss(first, second, _options.Temperature, cosine: _options.Similarity == ContrastSimilarity.Cosine);
        return rec.Plus(contrast.Times(_options.ContrastiveWeight));
    }

    /// <summary>The encoder's state at each sequence's last item [n, d] (left padding: the last column).</summary>
    private Tensor LastStates(IReadOnlyList<int[]> sequences, Device device) =>
        _encoder.Encode(PaddedSequences.From(sequences, _maxLength, Padding.Left), device)[.., -1, ..];

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device) => _encoder.Score(users, split, device);
}
