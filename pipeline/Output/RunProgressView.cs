using Spectre.Console;

namespace CrossDomain.Pipeline.Output;

/// <summary>
/// The live view of <c>run</c> on a terminal: one bar per running task with elapsed time and an estimate of the time
/// left; a finished bar goes (its "finished ... in ... s" line stays in the log above), so the view never piles up.
/// </summary>
public static class RunProgressView
{
    public static ProgressColumn[] Columns() =>
    [
        new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(),
        new RemainingTimeColumn(), new SpinnerColumn(),
    ];

    public static Progress Create(IAnsiConsole console) =>
        console.Progress().AutoClear(true).HideCompleted(true).Columns(Columns());
}
