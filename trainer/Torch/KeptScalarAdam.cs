using System.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Torch;

/// <summary>
/// TorchSharp's Adam with every Scalar of its step kept alive for the native call (see <see cref="KeptScalars"/>):
/// the same operations in the same order on the same values, so the updates are bit for bit TorchSharp's, and the same
/// <see cref="Adam.State"/>, so a checkpoint written by TorchSharp's Adam loads here (<see cref="LoadStateFile"/>).
/// AMSGrad and maximize are not offered.
/// </summary>
public sealed class KeptScalarAdam(IEnumerable<Adam.ParamGroup> groups, double learningRate, double beta1, double beta2, double weightDecay)
    : Adam(groups, learningRate, beta1, beta2, weight_decay: weightDecay)
{
    /// <summary>AdamW (PyTorch's torch.optim.AdamW): θ ← θ (1 − lr λ) before the Adam step, instead of adding λθ to the gradient.</summary>
    public bool DecoupledWeightDecay { get; init; }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double b1 = options.beta1!.Value, b2 = options.beta2!.Value, decay = options.weight_decay!.Value;
        if (options.amsgrad == true || options.maximize == true) throw new NotSupportedException("KeptScalarAdam: amsgrad and maximize are not implemented");
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            var biasCorrection1 = 1 - Math.Pow(b1, state.step);
            var biasCorrection2 = 1 - Math.Pow(b2, state.step);
            // β, 1 − β, ε and the decay are constants (KeptScalars); only the two bias-corrected values change per step.
            using Scalar sqrtCorrection2 = Math.Sqrt(biasCorrection2).ToScalar(), negativeStep = (-(options.LearningRate!.Value / biasCorrection1)).ToScalar();
            if (decay != 0 && DecoupledWeightDecay) param.mul_(KeptScalars.Of(1 - options.LearningRate!.Value * decay));
            else if (decay != 0) grad = grad.add(param, KeptScalars.Of(decay));
            state.exp_avg.mul_(KeptScalars.Of(b1)).add_(grad, KeptScalars.Of(1 - b1));
            state.exp_avg_sq.mul_(KeptScalars.Of(b2)).addcmul_(grad, grad.conj(), KeptScalars.Of(1 - b2));
            var denominator = state.exp_avg_sq.sqrt().div(sqrtCorrection2).add_(KeptScalars.Of(options.eps!.Value), KeptScalars.One);
            param.addcdiv_(state.exp_avg, denominator, negativeStep);
        }
    }, closure);

    /// <summary>
    /// Loads a state file written by <c>save_state_dict</c> of this class or of TorchSharp's Adam (checkpoints from
    /// before this class). TorchSharp checks the optimiser's type name at the head of the file; the state is the same.
    /// </summary>
    public void LoadStateFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        // BinaryWriter strings are length-prefixed: [4] "Adam" becomes [14] "KeptScalarAdam".
        byte[] written = [4, .. "Adam"u8];
        if (bytes.AsSpan().StartsWith(written))
            bytes = [(byte)nameof(KeptScalarAdam).Length, .. Encoding.ASCII.GetBytes(nameof(KeptScalarAdam)), .. bytes.AsSpan(written.Length)];
        using var reader = new BinaryReader(new MemoryStream(bytes));
        load_state_dict(reader);
    }
}
