namespace CrossDomain.Engine.Progress;

/// <summary>Where stages report progress and log lines. The CLI draws bars on a terminal and plain lines otherwise.</summary>
public interface IProgressSink
{
    /// <summary>Starts a unit of work; <paramref name="total"/> is null when its size is unknown.</summary>
    IProgressTask Start(string description, double? total = null);
    void Info(string message);
    void Warn(string message);
    void Verbose(string message);
}

public interface IProgressTask : IDisposable
{
    void Increment(double amount);
    void SetTotal(double total);
    void Describe(string description);
}

/// <summary>Discards everything: for tests and library use.</summary>
public sealed class NullProgressSink : IProgressSink
{
    public static readonly NullProgressSink Instance = new();
    public IProgressTask Start(string description, double? total = null) => NullTask.Instance;
    public void Info(string message) { }
    public void Warn(string message) { }
    public void Verbose(string message) { }

    private sealed class NullTask : IProgressTask
    {
        public static readonly NullTask Instance = new();
        public void Increment(double amount) { }
        public void SetTotal(double total) { }
        public void Describe(string description) { }
        public void Dispose() { }
    }
}

/// <summary>Keeps log lines in memory: lets tests assert what a stage reported.</summary>
public sealed class RecordingProgressSink : IProgressSink
{
    private readonly List<string> _lines = [];
    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }
    public IProgressTask Start(string description, double? total = null) => NullProgressSink.Instance.Start(description, total);
    public void Info(string message) { lock (_lines) _lines.Add("info: " + message); }
    public void Warn(string message) { lock (_lines) _lines.Add("warn: " + message); }
    public void Verbose(string message) { lock (_lines) _lines.Add("verbose: " + message); }
}

/// <summary>Prefixes a stage's task descriptions with the stage name, so that two stages' bars tell apart.</summary>
public sealed class StageProgressSink(string stage, IProgressSink inner) : IProgressSink
{
    public IProgressTask Start(string description, double? total = null) => inner.Start($"{stage}: {description}", total);
    public void Info(string message) => inner.Info(message);
    public void Warn(string message) => inner.Warn(message);
    public void Verbose(string message) => inner.Verbose(message);
}
