namespace CrossDomain.Engine.Stages;

/// <summary>A stage failure with a message meant for the user (bad input, thresholds exceeded), not a bug.</summary>
public sealed class StageException(string message, Exception? inner = null) : Exception(message, inner);
