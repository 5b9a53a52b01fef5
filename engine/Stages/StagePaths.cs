using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace CrossDomain.Engine.Stages;

/// <summary>
/// A path to an input file or directory read by a stage (data, a prompt template, a schema): the engine hashes its
/// content into the fingerprint, and <c>status</c> names it when it changes.
/// </summary>
public readonly record struct InputPath(string Value)
{
    public override string ToString() => Value;
    public static implicit operator InputPath(string value) => new(value);
}

/// <summary>Implemented by params records that check relations between their fields after binding.</summary>
public interface IValidatableParams
{
    /// <summary>Returns (key relative to params, message) for each problem.</summary>
    IEnumerable<(string Key, string Message)> Validate();
}

/// <summary>
/// Documents a param in <c>list</c> output and in error messages. A numeric param (or list of numbers) states its
/// range with <see cref="Min"/> (required: a test checks every kind) and <see cref="Max"/>, and the loader checks
/// it before anything runs. A params record from a library that cannot see this attribute (the trainer's
/// <c>TrainingConfig</c>) says the same with the BCL's <see cref="DescriptionAttribute"/> and
/// <see cref="RangeAttribute"/>; <see cref="Of"/> reads either.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ParamAttribute(string description) : Attribute
{
    public string Description { get; } = description;
    public double Min { get; set; } = double.NaN;
    public double Max { get; set; } = double.PositiveInfinity;
    /// <summary>The value must be strictly above <see cref="Min"/> (a learning rate, a timeout).</summary>
    public bool MinExclusive { get; set; }

    public bool HasRange => !double.IsNaN(Min);

    /// <summary>The property's own attribute, else one made of its <see cref="DescriptionAttribute"/> and <see cref="RangeAttribute"/>; null when it has none.</summary>
    public static ParamAttribute? Of(PropertyInfo property)
    {
        if (property.GetCustomAttribute<ParamAttribute>() is { } own) return own;
        var description = property.GetCustomAttribute<DescriptionAttribute>()?.Description;
        var range = property.GetCustomAttribute<RangeAttribute>();
        if (description is null && range is null) return null;
        var param = new ParamAttribute(description ?? "");
        if (range is not null)
        {
            param.Min = Convert.ToDouble(range.Minimum, System.Globalization.CultureInfo.InvariantCulture);
            param.Max = Convert.ToDouble(range.Maximum, System.Globalization.CultureInfo.InvariantCulture);
            param.MinExclusive = range.MinimumIsExclusive;
        }
        return param;
    }

    /// <summary>Null when <paramref name="value"/> is in range, else what is wrong with it.</summary>
    public string? Check(double value)
    {
        if (!HasRange) return null;
        var low = MinExclusive ? value > Min : value >= Min;
        if (low && value <= Max) return null;
        var range = double.IsPositiveInfinity(Max) ? $"{(MinExclusive ? ">" : ">=")} {Show(Min)}"
            : $"between {Show(Min)}{(MinExclusive ? " (excluded)" : "")} and {Show(Max)}";
        return $"must be {range}, got {Show(value)}";
    }

    private static string Show(double v) => v.ToString("G", System.Globalization.CultureInfo.InvariantCulture);
}
