using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Models.SemaCdr;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models;

/// <summary>
/// CD-SASRec (Alharbi and Caragea, 2021, as SemaCDR's Appendix D describes it: SASRec that "transfers knowledge by
/// incorporating aggregated source-domain representations into target-domain item embeddings"). Its code is not
/// public and its paper is not among the sources this toolkit could read, so the form is this toolkit's, each choice
/// written in docs/models.md: at each target position the input is (e_i + a_t) √d, where a_t is the mean embedding of
/// the user's source items that happened strictly before the item the position predicts (SemaCDR's
/// <see cref="CrossDomainInput.CrossVisible"/>, so no position sees a later source interaction), in the one item table
/// of both domains that also scores the target items; then SASRec's encoder, dot-product scores and objective (BCE on
/// one negative, or any <see cref="LossKind"/>). A target-domain model: one instance per domain under mixed_loo.
/// </summary>
public sealed class CdSasRec : SlotDotProductModel
{
    private readonly Embedding _items;
    private readonly CausalTransformer _encoder;
    private readonly int _hidden;

    protected override Embedding Items => _items;

    public CdSasRec(FeatureTables tables, TrainingConfig config) : base(nameof(CdSasRec), "cdsasrec", tables, config)
    {
        _hidden = config.Hidden;
        _items = Embedding(tables.ItemCount + 1, config.Hidden, padding_idx: 0);
        _encoder = new CausalTransformer(config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength);
        RegisterComponents();
        XavierInit.Apply(this);
    }

    /// <summary>Hidden state at every target position [batch, length, hidden].</summary>
    protected override Tensor Encode(CrossDomainInput input, Device device)
    {
        var target = input.Target.ToTensor(device);
        var visible = input.CrossMask(device).to_type(ScalarType.Float32);                         // [b, lt, ls]
        var aggregated = visible.bmm(_items.forward(input.Source.ToTensor(device))) / visible.sum(-1, keepdim: true).clamp_min(KeptScalars.One);
        var x = _items.forward(target).Plus(aggregated).Times(Math.Sqrt(_hidden));
        return _encoder.forward(x, target.ne(KeptScalars.Zero), input.Target.PositionOffset);
    }
}
