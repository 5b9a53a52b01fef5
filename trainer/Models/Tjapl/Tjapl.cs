using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Models.SemaCdr;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.Tjapl;

/// <summary>
/// TJAPL, "transfer via joint attentive preference learning" (Xu, Pan and Ming, "Transfer learning in cross-domain
/// sequential recommendation", Information Sciences 669, 2024). Its code is not public and only its abstract (and
/// SemaCDR's one-line description, Appendix D) could be read, so every detail below the abstract's three modules is
/// this toolkit's choice, listed in docs/models.md. All three are attention, as the abstract says:
/// <list type="bullet">
/// <item>target-domain APL: a causal self-attention encoder over the user's target-domain sequence, h^T_t;</item>
/// <item>cross-domain user APL: a causal self-attention encoder over the source-domain sequence, then h^T_t attends
/// (one multi-head attention) over the source states of interactions strictly before the item slot t predicts:
/// the user's source-domain preference transferred to the slot, u^S_t;</item>
/// <item>cross-domain local APL: a causal self-attention encoder over the merged sequence of both domains, read at
/// the element just before the predicted item: the cross-domain item transition, h^M_t.</item>
/// </list>
/// The prediction is h_t = h^T_t + u^S_t + h^M_t scored by dot product against one item table shared by every
/// module, trained with the shared loss family (BCE on one negative by default, as SASRec). The abstract's several
/// source domains reduce to the one of a domain pair. A target-domain model: one instance per domain under mixed_loo.
/// </summary>
public sealed class Tjapl : SlotDotProductModel
{
    private readonly TjaplOptions _options;
    private readonly Embedding _items;
    private readonly CausalTransformer _target;
    private readonly CausalTransformer? _source, _mixed;
    private readonly MultiHeadAttention? _transfer;
    private readonly int _hidden;

    protected override Embedding Items => _items;

    public Tjapl(FeatureTables tables, TrainingConfig config) : base(nameof(Tjapl), "tjapl", tables, config)
    {
        _options = ModelCatalog.Options<TjaplOptions>(config);
        _hidden = config.Hidden;
        _items = Embedding(tables.ItemCount + 1, config.Hidden, padding_idx: 0);
        _target = new CausalTransformer(config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength);
        if (_options.UserApl)
        {
            _source = new CausalTransformer(config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength);
            _transfer = new MultiHeadAttention(config.Hidden, config.Heads, config.Dropout);
        }
        if (_options.LocalApl) _mixed = new CausalTransformer(config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength);
        RegisterComponents();
        XavierInit.Apply(this);
    }

    private Tensor Run(CausalTransformer encoder, PaddedSequences sequences, Device device)
    {
        var ids = sequences.ToTensor(device);
        return encoder.forward(_items.forward(ids).Times(Math.Sqrt(_hidden)), ids.ne(KeptScalars.Zero), sequences.PositionOffset);
    }

    /// <summary>h_t at every target slot [batch, target length, d].</summary>
    protected override Tensor Encode(CrossDomainInput input, Device device)
    {
        var h = Run(_target, input.Target, device);
        if (_source is not null && _transfer is not null)
        {
            // A slot with no visible source interaction gets the attention's zero context (MultiHeadAttention).
            var forbidden = input.CrossMask(device).logical_not().unsqueeze(1);
            h = h.Plus(_transfer.forward(h, Run(_source, input.Source, device), forbidden));
        }
        if (_mixed is not null)
        {
            // The merged state just before each slot's predicted item; a zero vector where the window holds none.
            h = h.Plus(input.AtMixedState(Run(_mixed, input.Mixed, device)));
        }
        return h;
    }
}
