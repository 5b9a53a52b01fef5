using System.Runtime.InteropServices;

namespace CrossDomain.Trainer.Torch;

/// <summary>
/// Keeps libtorch's CPU tensors from paying a page fault per allocation. glibc serves blocks above its mmap threshold
/// with a fresh mmap and hands them back with munmap on free, and it trims the heap top whenever 128 KiB are free;
/// a training step allocates and frees the same few megabyte-sized activations thousands of times, so a
/// long-lived process (several train stages in one <c>run</c>) ended up spending a third of its time in the kernel
/// zeroing pages. Fixing the threshold at glibc's maximum (32 MiB) and keeping freed memory in the heap makes
/// those blocks reusable; memory stays bounded by the largest working set, which the process needs anyway.
/// Each setting is left alone when the user chose it through glibc's own variable (MALLOC_MMAP_THRESHOLD_, ...).
/// Only glibc on Linux; elsewhere, or when mallopt is absent (musl), nothing happens.
/// </summary>
public static class GlibcAllocatorTuning
{
    private const int MTrimThreshold = -1, MTopPad = -2, MMmapThreshold = -3;   // <malloc.h>

    /// <summary>What was applied, for logs.</summary>
    public static string Status { get; private set; } = "not applied";

    public static void Apply()
    {
        if (!OperatingSystem.IsLinux()) { Status = "not Linux"; return; }
        var applied = new List<string>();
        try
        {
            Set("MALLOC_MMAP_THRESHOLD_", MMmapThreshold, 32 << 20, "mmap threshold 32 MiB", applied);
            Set("MALLOC_TRIM_THRESHOLD_", MTrimThreshold, 1 << 30, "trim threshold 1 GiB", applied);
            Set("MALLOC_TOP_PAD_", MTopPad, 64 << 20, "top pad 64 MiB", applied);
            Status = applied.Count == 0 ? "left to the environment" : string.Join(", ", applied);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            Status = "mallopt unavailable (not glibc)";
        }
    }

    private static void Set(string variable, int parameter, int value, string text, List<string> applied)
    {
        if (Environment.GetEnvironmentVariable(variable) is not null) return;
        if (Mallopt(parameter, value) == 1) applied.Add(text);
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
}
