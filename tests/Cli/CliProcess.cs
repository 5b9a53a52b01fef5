using System.Diagnostics;
using System.Text;

namespace CrossDomain.Tests.Cli;

/// <summary>Runs the real <c>crossdomain</c> executable (built next to the tests) in a folder.</summary>
public static class CliProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "crossdomain.dll");

    public static ProcessStartInfo StartInfo(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["COLUMNS"] = "200";
        return psi;
    }

    public static (int Code, string Out, string Err) Run(string workDir, params string[] args)
    {
        using var p = Process.Start(StartInfo(workDir, args))!;
        p.StandardInput.Close(); // no terminal: whatever would prompt must not wait
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException($"crossdomain {string.Join(' ', args)} did not finish"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the CLI and returns once a line containing <paramref name="marker"/> was printed.</summary>
    public static async Task<(Process Process, StringBuilder Output)> StartAndWaitFor(string workDir, string marker, params string[] args)
    {
        var p = Process.Start(StartInfo(workDir, args))!;
        var output = new StringBuilder();
        var seen = new TaskCompletionSource();
        p.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); if (e.Data?.Contains(marker) == true) seen.TrySetResult(); };
        p.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var done = await Task.WhenAny(seen.Task, p.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(2)));
        if (done != seen.Task) throw new InvalidOperationException($"never saw '{marker}':\n{output}");
        return (p, output);
    }
}
