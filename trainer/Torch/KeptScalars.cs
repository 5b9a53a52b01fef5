using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Torch;

/// <summary>
/// Scalar arguments that outlive the native call they are passed to. TorchSharp 0.107 hands libtorch a Scalar's raw
/// handle and lets the managed object go: <c>a + b</c> is <c>a.add(b, 1)</c> with a fresh Scalar for the 1, unreachable
/// once its handle is read. A collection that another thread starts during the call finalises it, and libtorch reads
/// freed memory ("Expected false to be true ... toFloat at c10/core/Scalar.h:140"). So the trainer never lets
/// TorchSharp make a temporary Scalar: constants come from this cache (created once, never finalised), varying values
/// are held in a <c>using</c> until the call returns, and tensor arithmetic goes through <see cref="KeptScalarArithmetic"/>.
/// </summary>
public static class KeptScalars
{
    // Bounded by the distinct constants the models use (√d, 1/τ, λ, loss weights); per-step values do not come here.
    private static readonly ConcurrentDictionary<double, Scalar> Doubles = new();
    private static readonly ConcurrentDictionary<long, Scalar> Longs = new();

    public static Scalar Of(double value) => Doubles.GetOrAdd(value, v => v.ToScalar());
    public static Scalar Of(long value) => Longs.GetOrAdd(value, v => v.ToScalar());

    public static Scalar Zero => Of(0L);
    public static Scalar One => Of(1L);

    /// <summary><c>arange(start, end)</c> (step 1) with its bounds kept alive for the call.</summary>
    public static Tensor Arange(long start, long end, Device device, ScalarType dtype = ScalarType.Int64)
    {
        using Scalar from = start.ToScalar(), to = end.ToScalar(), step = 1L.ToScalar();
        return arange(from, to, step, dtype, device);
    }
}

/// <summary>
/// Tensor arithmetic whose Scalar arguments are kept (see <see cref="KeptScalars"/>); results equal TorchSharp's
/// operators. <c>a - b</c> and <c>a * b</c> between tensors need no Scalar and stay operators.
/// </summary>
public static class KeptScalarArithmetic
{
    /// <summary><c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, KeptScalars.One);

    /// <summary><c>a + c</c> for a constant c.</summary>
    public static Tensor Plus(this Tensor a, double c) => a.add(KeptScalars.Of(c), KeptScalars.One);

    /// <summary><c>a * c</c> for a constant c.</summary>
    public static Tensor Times(this Tensor a, double c) => a.mul(KeptScalars.Of(c));

    /// <summary><c>a / c</c> for a constant c.</summary>
    public static Tensor Over(this Tensor a, double c) => a.div(KeptScalars.Of(c));
}
