using CrossDomain.Trainer.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>KeptScalarAdam is TorchSharp's Adam with its Scalars kept alive: the same updates, bit for bit, and the same saved state.</summary>
[Collection("torch")]
public sealed class KeptScalarAdamTests
{
    public KeptScalarAdamTests() => TorchNativeLoader.EnsureLoaded();

    private static (Parameter A, Parameter B) Parameters()
    {
        using var generator = new Generator(11);
        return (new Parameter(randn([5, 3], generator: generator)), new Parameter(randn([4], generator: generator)));
    }

    private static bool Same(Tensor x, Tensor y) => x.equal(y).all().item<bool>();

    private static Tensor Loss(Parameter a, Parameter b, int step)
    {
        using var generator = new Generator(100UL + (ulong)step);
        var x = randn([6, 5], generator: generator);
        return (CheckedMatmul.Product(x, a).sum(1).tanh() * b[..3].sum()).pow(2).mean();
    }

    private static List<Adam.ParamGroup> Groups(Parameter a, Parameter b, double weightDecay) =>
    [
        new([a], new Adam.Options { LearningRate = 1e-2, beta1 = 0.9, beta2 = 0.98, weight_decay = weightDecay }),
        new([b], new Adam.Options { LearningRate = 3e-3, beta1 = 0.9, beta2 = 0.98, weight_decay = weightDecay }),
    ];

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void Its_updates_equal_TorchSharps_Adam_bit_for_bit(double weightDecay)
    {
        var (a1, b1) = Parameters();
        var (a2, b2) = Parameters();
        using var reference = optim.Adam(Groups(a1, b1, weightDecay), 1e-3, 0.9, 0.98, weight_decay: weightDecay);
        using var kept = new KeptScalarAdam(Groups(a2, b2, weightDecay), 1e-3, 0.9, 0.98, weightDecay);
        for (int step = 0; step < 6; step++)
        {
            reference.zero_grad(); Loss(a1, b1, step).backward(); reference.step();
            kept.zero_grad(); Loss(a2, b2, step).backward(); kept.step();
            Assert.True(Same(a1, a2) && Same(b1, b2), $"parameters differ after step {step + 1}");
        }
        Assert.False(Same(a1, Parameters().A), "the parameters did not move");
    }

    [Fact]
    public void With_decoupled_weight_decay_it_follows_TorchSharps_AdamW()
    {
        var (a1, b1) = Parameters();
        var (a2, b2) = Parameters();
        using var reference = optim.AdamW([a1, b1], 1e-2, 0.9, 0.999, weight_decay: 5.0);
        List<Adam.ParamGroup> groups = [new([a2, b2], new Adam.Options { LearningRate = 1e-2, beta1 = 0.9, beta2 = 0.999, weight_decay = 5.0 })];
        using var kept = new KeptScalarAdam(groups, 1e-2, 0.9, 0.999, 5.0) { DecoupledWeightDecay = true };
        for (int step = 0; step < 6; step++)
        {
            reference.zero_grad(); Loss(a1, b1, step).backward(); reference.step();
            kept.zero_grad(); Loss(a2, b2, step).backward(); kept.step();
            Assert.True(a1.allclose(a2, rtol: 1e-5, atol: 1e-7) && b1.allclose(b2, rtol: 1e-5, atol: 1e-7), $"parameters differ after step {step + 1}");
        }
        // Decay 5 at lr 1e-2 shrinks by 5 % a step: far from what an L2 term of 5 in Adam's gradient would do.
        Assert.False(Same(a1, Parameters().A), "the parameters did not move");
    }

    [Fact]
    public void A_rate_set_on_its_groups_is_the_rate_it_steps_with()
    {
        // The training loop schedules rates through ParamGroups (RecommenderModel.LearningRateFactor).
        var (a, b) = Parameters();
        using var kept = new KeptScalarAdam(Groups(a, b, 0), 1e-3, 0.9, 0.98, 0);
        foreach (var group in kept.ParamGroups) group.LearningRate = 0;
        kept.zero_grad(); Loss(a, b, 0).backward(); kept.step();
        Assert.True(Same(a, Parameters().A) && Same(b, Parameters().B), "a zero rate moved the parameters");
        foreach (var group in kept.ParamGroups) group.LearningRate = 1e-2;
        kept.zero_grad(); Loss(a, b, 1).backward(); kept.step();
        Assert.False(Same(a, Parameters().A), "the restored rate did not move them");
    }

    [Fact]
    public void It_resumes_from_a_state_file_of_TorchSharps_Adam()
    {
        var (a1, b1) = Parameters();
        var (a2, b2) = Parameters();
        using var reference = optim.Adam(Groups(a1, b1, 0), 1e-3, 0.9, 0.98);
        for (int step = 0; step < 3; step++) { reference.zero_grad(); Loss(a1, b1, step).backward(); reference.step(); }
        using var dir = new CrossDomain.Tests.Support.TempDir();
        var file = Path.Combine(dir.Path, "optimizer.dat");
        reference.save_state_dict(file); // a checkpoint from before KeptScalarAdam
        using (no_grad()) { a2.copy_(a1); b2.copy_(b1); }
        using var kept = new KeptScalarAdam(Groups(a2, b2, 0), 1e-3, 0.9, 0.98, 0);
        kept.LoadStateFile(file);
        reference.zero_grad(); Loss(a1, b1, 3).backward(); reference.step();
        kept.zero_grad(); Loss(a2, b2, 3).backward(); kept.step();
        Assert.True(Same(a1, a2) && Same(b1, b2));
    }
}
