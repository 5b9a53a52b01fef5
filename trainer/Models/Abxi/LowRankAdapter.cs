using CrossDomain.Trainer.Torch;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models.Abxi;

/// <summary>
/// A LoRA branch h ↦ h (A B)ᵀ with A ∈ ℝ^{d×r} drawn N(0, 1/50²) and B ∈ ℝ^{r×d} zero (ABXI's layers.py), so that it
/// starts as the zero map and learns a rank-r correction beside the layer it accompanies.
/// </summary>
public sealed class LowRankAdapter : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter _down, _up;

    public LowRankAdapter(int hidden, int rank) : base(nameof(LowRankAdapter))
    {
        _down = nn.Parameter(randn(hidden, rank).Over(50));
        _up = nn.Parameter(zeros(rank, hidden));
        RegisterComponents();
    }

    public override Tensor forward(Tensor h) => nn.functional.linear(h, CheckedMatmul.Product(_down, _up));
}
