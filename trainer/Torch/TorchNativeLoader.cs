using System.Text;
using TorchSharp;

namespace CrossDomain.Trainer.Torch;

/// <summary>
/// Makes TorchSharp 0.107 load where the system libstdc++ predates GCC 13 (Debian 12): its
/// <c>libLibTorchSharp.so</c> imports one symbol versioned <c>GLIBCXX_3.4.32</c>. Where that version is missing, the
/// library next to TorchSharp.dll in the output folder (never the NuGet cache) is patched once, atomically, keeping
/// the original beside it; everywhere else nothing changes. Call <see cref="EnsureLoaded"/> before the first
/// <c>torch</c> call.
/// </summary>
public static class TorchNativeLoader
{
    public const string Symbol = "_ZSt21ios_base_library_initv";      // std::ios_base_library_init(), emitted by GCC 13's <iostream>
    public const string Replacement = "_ZSt18uncaught_exceptionv";    // std::uncaught_exception(): harmless, takes nothing
    public const string Requirement = "GLIBCXX_3.4.32";
    private static readonly object Gate = new();
    private static bool _done;

    /// <summary>What happened, for logs: "not needed", "patched …", "already patched …".</summary>
    public static string Status { get; private set; } = "not checked";

    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_done) return;
            RequestReproducibleMkl();
            GlibcAllocatorTuning.Apply();
            if (OperatingSystem.IsLinux() && !SystemLibStdCxxHas(Requirement) && FindLibTorchSharp() is { } path)
            {
                var bytes = File.ReadAllBytes(path);
                if (ElfSymbolVersionPatch.Imports(bytes, Symbol))
                {
                    ElfSymbolVersionPatch.Apply(bytes, Symbol, Replacement, Requirement);
                    if (!File.Exists(path + ".orig")) File.Copy(path, path + ".orig");
                    var temp = path + $".{Environment.ProcessId}.tmp";
                    File.WriteAllBytes(temp, bytes);
                    File.Move(temp, path, overwrite: true);
                    Status = $"patched {path} (system libstdc++ lacks {Requirement})";
                }
                else Status = $"already patched {path}";
            }
            else Status = "not needed";
            torch.InitializeDeviceType(DeviceType.CPU);
            _done = true;
        }
    }

    /// <summary>
    /// libtorch's CPU BLAS (MKL) may sum in an order that depends on how the operands happen to be aligned in memory
    /// and on how many threads it decides to use, so two identical models can differ in the last bits. <c>MKL_CBWR=AUTO,STRICT</c> keeps the best instruction set
    /// and makes the result independent of alignment. MKL reads it once, natively, when it first runs: it is set with
    /// libc's setenv (Environment.SetEnvironmentVariable does not reach native code on Unix) and never overrides a
    /// value the user chose.
    /// </summary>
    private static void RequestReproducibleMkl()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        if (Environment.GetEnvironmentVariable("MKL_CBWR") is null) SetEnv("MKL_CBWR", "AUTO,STRICT", 0);
        // MKL may otherwise use fewer threads when the machine is busy, and its sums then split differently.
        if (Environment.GetEnvironmentVariable("MKL_DYNAMIC") is null) SetEnv("MKL_DYNAMIC", "FALSE", 0);
        if (Environment.GetEnvironmentVariable("OMP_DYNAMIC") is null) SetEnv("OMP_DYNAMIC", "FALSE", 0);
        MklReproducibility = Environment.GetEnvironmentVariable("MKL_CBWR") ?? "AUTO,STRICT";
    }

    /// <summary>The MKL_CBWR setting in force (for logs).</summary>
    public static string MklReproducibility { get; private set; } = "";

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>Whether the libstdc++ this process loaded defines the version (read from /proc/self/maps).</summary>
    public static bool SystemLibStdCxxHas(string version)
    {
        var lib = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[5].Contains("libstdc++.so")).Select(f => f[5]).FirstOrDefault();
        if (lib is null || !File.Exists(lib)) return true; // nothing to patch against
        return ContainsAscii(File.ReadAllBytes(lib), version + "\0");
    }

    internal static bool ContainsAscii(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(needle)) >= 0;

    private static string? FindLibTorchSharp()
    {
        var dir = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory;
        foreach (var candidate in new[] { Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"), Path.Combine(dir, "libLibTorchSharp.so") })
            if (File.Exists(candidate)) return candidate;
        return null;
    }
}
