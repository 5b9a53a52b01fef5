using CrossDomain.Trainer.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.PiNet;

/// <summary>
/// π-Net's shared account filter unit (SFU; PiNet.py's <c>FilterCell</c>): a recurrence over one domain's positions
/// that decides, for each of M latent account members, how much of the other domain's information to let through:
/// f_m = σ(W_f [x | y | s] + V_f e_m + b_f), s̃_m = tanh(W_s [x | s] + V_s e_m + b_s), s' = mean_m (f_m ⊙ s + (1 − f_m) ⊙ s̃_m),
/// where x is the domain's own encoder output at the position and y the other domain's at its latest earlier position.
/// The candidate's member term is V_s e_m as in the paper; the reference code adds V_f e_m there (its V_s is unused).
/// Biases start at 1, as the reference's.
/// </summary>
public sealed class SharedAccountFilter : Module<Tensor, Tensor, Tensor>
{
    private readonly Linear _gate, _candidate, _gateMembers, _candidateMembers;
    private readonly Parameter _members;
    private readonly int _hidden;

    public SharedAccountFilter(int hidden, int members) : base(nameof(SharedAccountFilter))
    {
        _hidden = hidden;
        _gate = Linear(3 * hidden, hidden);
        _candidate = Linear(2 * hidden, hidden);
        _gateMembers = Linear(hidden, hidden, hasBias: false);
        _candidateMembers = Linear(hidden, hidden, hasBias: false);
        _members = Parameter(empty(members, hidden));
        RegisterComponents();
        using var noGrad = no_grad();
        init.xavier_normal_(_members);
        init.ones_(_gate.bias!);
        init.ones_(_candidate.bias!);
    }

    /// <param name="own">[batch, length, d]: the domain's own encoder outputs.</param>
    /// <param name="other">[batch, length, d]: the other domain's output each position reads (zeros for none).</param>
    /// <returns>The filtered state at every position [batch, length, d].</returns>
    public override Tensor forward(Tensor own, Tensor other)
    {
        long b = own.shape[0], length = own.shape[1];
        var gateMembers = _gateMembers.forward(_members).unsqueeze(0);           // [1, M, d]
        var candidateMembers = _candidateMembers.forward(_members).unsqueeze(0); // [1, M, d]
        var state = zeros(b, _hidden, dtype: own.dtype, device: own.device);
        var outputs = new List<Tensor>();
        for (long t = 0; t < length; t++)
        {
            var x = own[.., t, ..];
            var y = other[.., t, ..];
            var f = functional.sigmoid(_gate.forward(cat([x, y, state], -1)).unsqueeze(1).Plus(gateMembers));       // [b, M, d]
            var candidate = functional.tanh(_candidate.forward(cat([x, state], -1)).unsqueeze(1).Plus(candidateMembers));
            var s = state.unsqueeze(1);
            state = (f * s + f.neg().Plus(1.0) * candidate).mean(new long[] { 1 });
            outputs.Add(state);
        }
        return stack(outputs, 1);
    }
}
