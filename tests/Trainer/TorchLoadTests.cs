using CrossDomain.Trainer.Torch;
using TorchSharp;

namespace CrossDomain.Tests.Trainer;

/// <summary>TorchSharp loads on this machine, patched only where the system libstdc++ needs it.</summary>
[Collection("torch")]
public sealed class TorchLoadTests
{
    [Fact]
    public void Torch_loads_and_computes_after_ensure_loaded()
    {
        TorchNativeLoader.EnsureLoaded();
        var lacking = !TorchNativeLoader.SystemLibStdCxxHas(TorchNativeLoader.Requirement);
        Assert.Equal(lacking, TorchNativeLoader.Status.Contains("patched"));
        using var a = torch.ones(2, 3);
        using var b = torch.arange(3, dtype: torch.float32);
        using var c = (a * b).sum();
        Assert.Equal(6f, c.item<float>());
        // glibc's allocator is tuned for tensor churn unless the user set glibc's own variables.
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is null)
            Assert.Contains("mmap threshold 32 MiB", GlibcAllocatorTuning.Status);
    }

    [Fact]
    public void The_patch_unversions_and_renames_the_one_symbol_and_weakens_the_requirement()
    {
        var dir = Path.GetDirectoryName(typeof(torch).Assembly.Location)!;
        var path = Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var original = File.Exists(path + ".orig") ? path + ".orig" : path; // the shipped bytes, before any patch
        var bytes = File.ReadAllBytes(original);
        Assert.True(ElfSymbolVersionPatch.Imports(bytes, TorchNativeLoader.Symbol));
        var result = ElfSymbolVersionPatch.Apply(bytes, TorchNativeLoader.Symbol, TorchNativeLoader.Replacement, TorchNativeLoader.Requirement);
        Assert.True(result.SymbolPatched);
        Assert.True(result.RequirementWeakened);
        Assert.False(ElfSymbolVersionPatch.Imports(bytes, TorchNativeLoader.Symbol));
        Assert.True(ElfSymbolVersionPatch.Imports(bytes, TorchNativeLoader.Replacement));
        Assert.Equal(new FileInfo(original).Length, bytes.Length); // a few bytes edited in place, nothing moved
        var again = ElfSymbolVersionPatch.Apply(bytes, TorchNativeLoader.Symbol, TorchNativeLoader.Replacement, TorchNativeLoader.Requirement);
        Assert.False(again.SymbolPatched); // idempotent: the symbol is gone
        Assert.Throws<InvalidDataException>(() => ElfSymbolVersionPatch.Apply(new byte[100], "a", "b", "c"));
    }

    [Fact]
    public void The_libstdcxx_check_reads_the_library_this_process_loaded()
    {
        Assert.True(TorchNativeLoader.SystemLibStdCxxHas("GLIBCXX_3.4")); // every libstdc++ has it
        Assert.False(TorchNativeLoader.SystemLibStdCxxHas("GLIBCXX_9.9.99"));
    }
}
