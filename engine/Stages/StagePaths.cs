namespace CrossDomain.Engine.Stages;

/// <summary>A path to an input file or directory, read by a stage. The engine hashes it into the fingerprint.</summary>
public readonly record struct InputPath(string Value)
{
    public override string ToString() => Value;
    public static implicit operator InputPath(string value) => new(value);
}

/// <summary>A prompt template file used by a stage. Hashed by its text; status names it as a prompt.</summary>
public readonly record struct PromptPath(string Value)
{
    public override string ToString() => Value;
    public static implicit operator PromptPath(string value) => new(value);
}

/// <summary>Implemented by params records that check relations between their fields after binding.</summary>
public interface IValidatableParams
{
    /// <summary>Returns (key relative to params, message) for each problem.</summary>
    IEnumerable<(string Key, string Message)> Validate();
}

/// <summary>Documents a param in <c>list</c> output and in error messages.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ParamAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}
