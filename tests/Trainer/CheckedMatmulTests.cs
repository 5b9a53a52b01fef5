using System.Text.RegularExpressions;
using CrossDomain.Tests.Support;
using CrossDomain.Trainer.Torch;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>
/// A shape mismatch in a matrix product throws a .NET exception that names the shapes. Plain torch.matmul would
/// terminate the test host instead (TorchSharp 0.107 does not catch libtorch's error there), so each case that
/// throws here would, unguarded, abort the run.
/// </summary>
[Collection("torch")]
public sealed class CheckedMatmulTests
{
    public CheckedMatmulTests() => TorchNativeLoader.EnsureLoaded();

    [Theory]
    [InlineData(new long[] { 729, 64 }, new long[] { 66, 729 }, "matmul of [729, 64] by [66, 729]")] // the K = 6 bug's shapes
    [InlineData(new long[] { 2, 3, 4 }, new long[] { 5, 4, 6 }, "batch dimensions 2 and 5")]
    [InlineData(new long[] { 3, 4 }, new long[] { 5 }, "right's length (5)")]
    [InlineData(new long[] { 5 }, new long[] { 4, 6 }, "second-to-last dimension (4)")]
    public void A_shape_mismatch_throws_and_names_both_shapes(long[] left, long[] right, string expected)
    {
        using var a = zeros(left);
        using var b = zeros(right);
        var error = Assert.Throws<ArgumentException>(() => CheckedMatmul.Product(a, b));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(new long[] { 3, 4 }, new long[] { 4, 6 }, new long[] { 3, 6 })]
    [InlineData(new long[] { 2, 1, 3, 4 }, new long[] { 5, 4, 6 }, new long[] { 2, 5, 3, 6 })] // batch dims broadcast
    [InlineData(new long[] { 7, 3, 4 }, new long[] { 4, 6 }, new long[] { 7, 3, 6 })]
    [InlineData(new long[] { 4 }, new long[] { 4, 6 }, new long[] { 6 })]
    [InlineData(new long[] { 3, 4 }, new long[] { 4 }, new long[] { 3 })]
    public void Compatible_shapes_give_matmuls_own_result(long[] left, long[] right, long[] product)
    {
        using var generator = new TorchSharp.torch.Generator(7);
        using var a = randn(left, generator: generator);
        using var b = randn(right, generator: generator);
        using var checkedResult = CheckedMatmul.Product(a, b);
        using var plain = matmul(a, b);
        Assert.Equal(product, checkedResult.shape);
        Assert.True(checkedResult.allclose(plain, rtol: 0, atol: 0));
    }

    [Fact]
    public void The_trainer_calls_matmul_only_through_the_check()
    {
        var unchecked_ = Directory.GetFiles(Path.Combine(Repo.Root, "trainer"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && Path.GetFileName(f) != "CheckedMatmul.cs")
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => Regex.IsMatch(x.line, @"\bmatmul\("))
            .Select(x => $"{Path.GetRelativePath(Repo.Root, x.f)}:{x.i + 1}")
            .ToList();
        Assert.Empty(unchecked_);
    }
}
