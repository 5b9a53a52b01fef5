using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.Abxi;

/// <summary>The SwiGLU feed-forward network of ABXI's encoders.py: W₃ (SiLU(W₂ h) ⊙ W₁ h), no biases; the caller adds the residual and norm.</summary>
public sealed class SwiGluFeedForward : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear _gate, _value, _output;

    public SwiGluFeedForward(int hidden, int inner) : base(nameof(SwiGluFeedForward))
    {
        _value = Linear(hidden, inner, hasBias: false);
        _gate = Linear(hidden, inner, hasBias: false);
        _output = Linear(inner, hidden, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor h) => _output.forward(functional.silu(_gate.forward(h)) * _value.forward(h));
}
