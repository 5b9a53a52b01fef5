using static TorchSharp.torch;

namespace CrossDomain.Trainer.Torch;

/// <summary>
/// <c>torch.matmul</c> with its shapes checked in .NET first. TorchSharp 0.107's native <c>THSTensor_matmul</c>,
/// unlike <c>mm</c>, <c>bmm</c>, <c>linear</c> and most other ops, does not catch libtorch's <c>c10::Error</c>, so a
/// shape mismatch there terminates the whole process (exit 134) instead of throwing: the stage cannot report itself
/// failed. Every matrix product in the trainer goes through <see cref="Product"/>; the result is matmul's own.
/// </summary>
public static class CheckedMatmul
{
    public static Tensor Product(Tensor left, Tensor right)
    {
        var a = left.shape;
        var b = right.shape;
        if (a.Length == 0 || b.Length == 0) throw Mismatch(a, b, "matmul needs tensors of at least one dimension");
        var inner = b.Length == 1 ? b[0] : b[^2];
        if (a[^1] != inner) throw Mismatch(a, b, $"the left's last dimension ({a[^1]}) is not the right's {(b.Length == 1 ? "length" : "second-to-last dimension")} ({inner})");
        // Batch dimensions (all but the matrix ones) broadcast from the right: equal, or one of them 1.
        var batchA = a.Length > 2 ? a[..^2] : [];
        var batchB = b.Length > 2 ? b[..^2] : [];
        for (int i = 1; i <= Math.Min(batchA.Length, batchB.Length); i++)
            if (batchA[^i] != batchB[^i] && batchA[^i] != 1 && batchB[^i] != 1)
                throw Mismatch(a, b, $"batch dimensions {batchA[^i]} and {batchB[^i]} do not broadcast");
        return matmul(left, right);
    }

    private static ArgumentException Mismatch(long[] a, long[] b, string why) =>
        new($"matmul of [{string.Join(", ", a)}] by [{string.Join(", ", b)}]: {why}");
}
