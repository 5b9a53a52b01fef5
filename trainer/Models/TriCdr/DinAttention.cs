using CrossDomain.Trainer.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.TriCdr;

/// <summary>
/// Tri-CDR's DIN-style attention with a mixed-sequence context (model.py's <c>DINAttentionLayer_withmixattn</c>): for a
/// query q and each fact f, an MLP 5d → 80 → 40 → 1 (PReLU) scores [f, q, f ⊙ q, q − f, c], where c is the plain
/// mean of the visible merged-sequence states; the facts' softmax-weighted sum is the output. One MLP serves the
/// three branches, as in the reference.
/// The reference loops over query slots; here every slot is scored at once, and the first layer is applied by
/// blocks of its weight instead of to the concatenation (W[f, q, f ⊙ q, q − f, c] = (W_f − W_d) f + (W_q + W_d) q +
/// W_p (f ⊙ q) + W_c c, the product term as one batched matrix product), which is the same function without the
/// [batch, slots, facts, 5d] tensor. A query with no visible fact returns zeros (the reference softmaxes equal
/// −2³¹ scores into a uniform average over padding).
/// </summary>
public sealed class DinAttention : Module<Tensor, Tensor, Tensor, Tensor, Tensor>
{
    private readonly Linear _first, _second, _score;
    private readonly PReLU _firstActivation, _secondActivation;
    private readonly int _hidden;

    public DinAttention(int hidden) : base(nameof(DinAttention))
    {
        _hidden = hidden;
        _first = Linear(5 * hidden, 80);
        _firstActivation = PReLU(1, 0.25);
        _second = Linear(80, 40);
        _secondActivation = PReLU(1, 0.25);
        _score = Linear(40, 1);
        RegisterComponents();
    }

    /// <param name="query">[batch, slots, d].</param>
    /// <param name="facts">[batch, keys, d].</param>
    /// <param name="visible">[batch, slots, keys] bool.</param>
    /// <param name="context">[batch, slots, d]: the mean merged-sequence state each slot sees.</param>
    /// <returns>[batch, slots, d].</returns>
    public override Tensor forward(Tensor query, Tensor facts, Tensor visible, Tensor context)
    {
        var w = _first.weight!.split(_hidden, 1); // W_f, W_q, W_p, W_d, W_c: [80, d] each
        var factTerm = facts.matmul((w[0] - w[3]).t());                                               // [b, k, 80]
        var queryTerm = query.matmul((w[1] + w[3]).t()).Plus(context.matmul(w[4].t())).Plus(_first.bias!); // [b, q, 80]
        long b = query.shape[0], q = query.shape[1], k = facts.shape[1];
        // Σ_j f_j q_j W_p[o, j] for every (slot, key): (q ⊙ W_p[o]) · f.
        var scaled = (query.unsqueeze(2) * w[2].unsqueeze(0).unsqueeze(0)).reshape(b, q * 80, _hidden);
        var product = scaled.bmm(facts.transpose(1, 2)).view(b, q, 80, k).permute(0, 1, 3, 2);        // [b, q, k, 80]
        var h = _firstActivation.forward(product.Plus(factTerm.unsqueeze(1)).Plus(queryTerm.unsqueeze(2)));
        var scores = _score.forward(_secondActivation.forward(_second.forward(h))).squeeze(-1);       // [b, q, k]
        // A finite fill keeps a slot with nothing visible finite (uniform), so zeroing it leaves no NaN in the gradient.
        var weights = scores.masked_fill(visible.logical_not(), KeptScalars.Of(-1e9)).softmax(-1);
        weights = weights * visible.any(-1, keepdim: true).to_type(weights.dtype);
        return weights.matmul(facts);
    }

    /// <summary>The plain mean of the visible states per slot ([batch, slots, d]; zeros where none is visible).</summary>
    public static Tensor VisibleMean(Tensor states, Tensor visible)
    {
        var v = visible.to_type(states.dtype);
        return v.matmul(states) / v.sum(-1, keepdim: true).clamp_min(KeptScalars.One);
    }
}
