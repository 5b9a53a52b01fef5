namespace CrossDomain.Engine.Stages;

/// <summary>A stage failure with a message meant for the user (bad input, thresholds exceeded), not a bug.</summary>
public sealed class StageException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The stage handed its work to an outside service (a batch job) and will finish on a later run: not a failure, but
/// nothing is written and the stage stays stale. The message says what it waits for.
/// </summary>
public sealed class StageWaitingException(string message) : Exception(message);
