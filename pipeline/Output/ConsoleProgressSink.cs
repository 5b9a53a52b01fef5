using System.Diagnostics;
using CrossDomain.Engine.Progress;
using Spectre.Console;

namespace CrossDomain.Pipeline.Output;

/// <summary>Progress bars on a terminal (Spectre.Console).</summary>
public sealed class SpectreProgressSink(ProgressContext context, bool verbose) : IProgressSink
{
    public IProgressTask Start(string description, double? total = null)
    {
        var task = context.AddTask(Markup.Escape(description), maxValue: total is > 0 ? total.Value : 1);
        task.IsIndeterminate = total is null;
        return new Task(task);
    }

    public void Info(string message) => Write(message, null);
    public void Warn(string message) => Write(message, "yellow");
    public void Verbose(string message) { if (verbose) Write(message, "grey"); }

    // Lines are broken at spaces before they reach the terminal's edge: a line the terminal wraps by itself throws the
    // live view's redraw off (bars drawn over text), and it wraps mid-word.
    private static void Write(string message, string? colour)
    {
        foreach (var line in WordWrap.Lines(message, Math.Max(20, AnsiConsole.Profile.Width - 1)))
            AnsiConsole.MarkupLine(colour is null ? Markup.Escape(line) : $"[{colour}]{Markup.Escape(line)}[/]");
    }

    private sealed class Task(ProgressTask task) : IProgressTask
    {
        public void Increment(double amount) => task.Increment(amount);
        public void SetTotal(double total) { task.MaxValue = total; task.IsIndeterminate = false; }
        public void Describe(string description) => task.Description = Markup.Escape(description);
        // An indeterminate task that ends is complete; a sized one that ends short (interrupted, failed) keeps its
        // value, so the bar does not claim work that was not done.
        public void Dispose()
        {
            if (task.IsIndeterminate) task.Value = task.MaxValue;
            task.IsIndeterminate = false;
            task.StopTask();
        }
    }
}

/// <summary>Line-by-line progress when output is not a terminal (CI logs, files): a line at most every 5 s per task.</summary>
public sealed class PlainProgressSink(TextWriter writer, bool quiet, bool verbose, TimeProvider? clock = null) : IProgressSink
{
    private readonly object _gate = new();
    private readonly TimeProvider _time = clock ?? TimeProvider.System;
    private bool Quiet => quiet;

    public IProgressTask Start(string description, double? total = null)
    {
        if (!quiet) Write($"  {description} ...");
        return new Task(this, description, total);
    }

    public void Info(string message) { if (!quiet) Write(message); }
    public void Warn(string message) => Write("warning: " + message);
    public void Verbose(string message) { if (verbose) Write(message); }

    private void Write(string line)
    {
        lock (_gate) { writer.WriteLine(line); writer.Flush(); }
    }

    private sealed class Task(PlainProgressSink sink, string description, double? total) : IProgressTask
    {
        private double _value;
        private double? _total = total;
        private readonly long _started = sink._time.GetTimestamp();
        private TimeSpan _lastPrint = TimeSpan.Zero;
        private TimeSpan Elapsed => sink._time.GetElapsedTime(_started);

        public void Increment(double amount)
        {
            lock (this)
            {
                _value += amount;
                if (sink.Quiet || Elapsed - _lastPrint < TimeSpan.FromSeconds(5)) return;
                _lastPrint = Elapsed;
            }
            sink.Write(_total is > 0 ? $"  {description}: {_value / _total.Value:P0}" : $"  {description}: {_value:N0}");
        }

        public void SetTotal(double total) => _total = total;
        public void Describe(string d) { }
        // A sized task disposed short of its total was cut off (interrupted or failed); callers whose work turns
        // out smaller than announced (early stopping) call SetTotal first, so "done" means the work was done. The
        // tolerance absorbs fractional increments that sum to the total in floating point (synthesize).
        public void Dispose()
        {
            if (sink.Quiet || Elapsed <= TimeSpan.FromSeconds(1)) return;
            var seconds = Elapsed.TotalSeconds;
            sink.Write(_total is > 0 && _value < _total.Value * (1 - 1e-9)
                ? $"  {description}: stopped at {_value / _total.Value:P0} after {seconds:F1} s"
                : $"  {description}: done in {seconds:F1} s");
        }
    }
}
