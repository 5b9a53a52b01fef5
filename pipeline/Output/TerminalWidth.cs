using Spectre.Console;

namespace CrossDomain.Pipeline.Output;

/// <summary>
/// How wide tables may be: $COLUMNS when set, else the terminal's width; when the output is piped, wide enough that
/// nothing is wrapped (a file or a pager gets whole lines, not words cut in two).
/// </summary>
public static class TerminalWidth
{
    public const int Unlimited = 1000;

    public static int Current
    {
        get
        {
            if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0) return columns;
            if (Console.IsOutputRedirected) return Unlimited;
            try { return Console.WindowWidth > 0 ? Console.WindowWidth : 80; }
            catch (IOException) { return 80; }
        }
    }

    /// <summary>Sets Spectre's width once, at start-up, for every table and rule the CLI prints.</summary>
    public static void Apply() => AnsiConsole.Profile.Width = Current;
}
