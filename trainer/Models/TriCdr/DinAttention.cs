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
/// The reference loops over query slots; here every query row (a real slot) is scored at once, and the first layer
/// is applied by blocks of its weight instead of to the concatenation (W[f, q, f ⊙ q, q − f, c] = (W_f − W_d) f +
/// (W_q + W_d) q + W_p (f ⊙ q) + W_c c, the product term as one batched matrix product), which is the same function
/// without the [rows, keys, 5d] tensor. A query with no visible fact returns zeros (the reference softmaxes equal
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

    /// <param name="query">[rows, d]: one query per row.</param>
    /// <param name="facts">[rows, keys, d]: the states the row's query attends over.</param>
    /// <param name="visible">[rows, keys] bool.</param>
    /// <param name="context">[rows, d]: the mean merged-sequence state the row sees.</param>
    /// <returns>[rows, d].</returns>
    public override Tensor forward(Tensor query, Tensor facts, Tensor visible, Tensor context)
    {
        var w = _first.weight!.split(_hidden, 1); // W_f, W_q, W_p, W_d, W_c: [80, d] each
        var factTerm = CheckedMatmul.Product(facts, (w[0] - w[3]).t());                                               // [r, k, 80]
        var queryTerm = CheckedMatmul.Product(query, (w[1] + w[3]).t()).Plus(CheckedMatmul.Product(context, w[4].t())).Plus(_first.bias!); // [r, 80]
        // Σ_j f_j q_j W_p[o, j] for every key: (q ⊙ W_p[o]) · f.
        var scaled = query.unsqueeze(1) * w[2].unsqueeze(0);                                          // [r, 80, d]
        var product = facts.bmm(scaled.transpose(1, 2));                                              // [r, k, 80]
        var h = _firstActivation.forward(product.Plus(factTerm).Plus(queryTerm.unsqueeze(1)));
        var scores = _score.forward(_secondActivation.forward(_second.forward(h))).squeeze(-1);       // [r, k]
        // A finite fill keeps a row with nothing visible finite (uniform), so zeroing it leaves no NaN in the gradient.
        var weights = scores.masked_fill(visible.logical_not(), KeptScalars.Of(-1e9)).softmax(-1);
        weights = weights * visible.any(-1, keepdim: true).to_type(weights.dtype);
        return weights.unsqueeze(1).bmm(facts).squeeze(1);
    }

    /// <summary>The plain mean of the visible states per row ([rows, d]; zeros where none is visible).</summary>
    public static Tensor VisibleMean(Tensor states, Tensor visible)
    {
        var v = visible.to_type(states.dtype);
        return v.unsqueeze(1).bmm(states).squeeze(1) / v.sum(-1, keepdim: true).clamp_min(KeptScalars.One);
    }
}
