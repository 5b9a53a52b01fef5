using CrossDomain.Pipeline.Output;

namespace CrossDomain.Tests.Cli;

/// <summary>The line-by-line progress that CI logs show: a task cut short must not say "done".</summary>
public class PlainProgressSinkTests
{
    [Fact]
    public void A_sized_task_ended_short_of_its_total_says_where_it_stopped_and_a_finished_one_says_done()
    {
        var output = new StringWriter();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var sink = new PlainProgressSink(output, quiet: false, verbose: false, clock);
        var interrupted = sink.Start("interrupted", 10);
        var earlyStopped = sink.Start("early stopped", 10);
        var fractional = sink.Start("fractional", 1.0);
        var unsized = sink.Start("unsized");
        interrupted.Increment(4);
        earlyStopped.Increment(6);
        earlyStopped.SetTotal(6); // what the training observer does when early stopping ends a seed
        for (int i = 0; i < 10; i++) fractional.Increment(0.1); // sums to 0.9999999999999999
        unsized.Increment(3);
        clock.Advance(TimeSpan.FromSeconds(1.5)); // the sink reports only tasks that took over a second

        foreach (var task in new[] { interrupted, earlyStopped, fractional, unsized }) task.Dispose();

        var lines = output.ToString().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("interrupted: stopped at 40") && l.Contains(" after "));
        Assert.DoesNotContain(lines, l => l.StartsWith("interrupted: done"));
        Assert.Contains(lines, l => l.StartsWith("early stopped: done in 1.5 s"));
        Assert.Contains(lines, l => l.StartsWith("fractional: done in "));
        Assert.Contains(lines, l => l.StartsWith("unsized: done in "));
    }
}
