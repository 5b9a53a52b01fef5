using System.Collections;
using System.Globalization;

namespace CrossDomain.Engine.Artifacts;

public enum FilterOp { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, In }

/// <summary>
/// One <c>inspect --where</c> condition: <c>col=v</c>, <c>col!=v</c>, <c>col&lt;v</c>, <c>col&lt;=v</c>, <c>col&gt;v</c>,
/// <c>col&gt;=v</c> or <c>col in a,b,c</c>. Numbers compare as numbers when both sides are numeric, everything else
/// as the text the table shows. A list column matches <c>in</c> when any of its elements is listed.
/// </summary>
public sealed record RowFilter(string Column, FilterOp Op, IReadOnlyList<string> Values)
{
    private static readonly (string Token, FilterOp Op)[] Operators =
        [("!=", FilterOp.NotEqual), ("<=", FilterOp.LessOrEqual), (">=", FilterOp.GreaterOrEqual), ("=", FilterOp.Equal), ("<", FilterOp.Less), (">", FilterOp.Greater)];

    public static RowFilter Parse(string text)
    {
        var inAt = text.IndexOf(" in ", StringComparison.Ordinal);
        if (inAt > 0)
        {
            var values = text[(inAt + 4)..].Trim().TrimStart('[').TrimEnd(']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (values.Length == 0) throw new ArgumentException($"--where '{text}': 'in' needs a comma-separated list of values");
            return new RowFilter(text[..inAt].Trim(), FilterOp.In, values);
        }
        // The first operator character splits column from value ("a>=b": column a, operator >=, value b).
        var at = text.IndexOfAny(['!', '<', '>', '=']);
        if (at > 0)
            foreach (var (token, op) in Operators)
                if (string.CompareOrdinal(text, at, token, 0, token.Length) == 0)
                    return new RowFilter(text[..at].Trim(), op, [text[(at + token.Length)..].Trim()]);
        throw new ArgumentException($"--where expects column=value, column!=value, column<value, column<=value, column>value, column>=value or 'column in a,b,c'; got '{text}'");
    }

    public bool Matches(object? value)
    {
        if (Op == FilterOp.In)
            return value is IEnumerable e and not string ? e.Cast<object?>().Any(Listed) : Listed(value);
        var wanted = Values[0];
        if (Op is FilterOp.Equal or FilterOp.NotEqual)
        {
            var equal = Same(value, wanted);
            return Op == FilterOp.Equal ? equal : !equal;
        }
        if (value is null) return false;
        int order = AsNumber(value) is { } a && double.TryParse(wanted, NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
            ? a.CompareTo(b)
            : string.CompareOrdinal(ParquetInspector.Show(value), wanted);
        return Op switch
        {
            FilterOp.Less => order < 0,
            FilterOp.LessOrEqual => order <= 0,
            FilterOp.Greater => order > 0,
            _ => order >= 0,
        };
    }

    private bool Listed(object? value) => Values.Any(v => Same(value, v));

    private static bool Same(object? value, string wanted) =>
        AsNumber(value) is { } a && double.TryParse(wanted, NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
            ? a == b
            : (ParquetInspector.Show(value) ?? "null") == wanted;

    private static double? AsNumber(object? value) => value switch
    {
        int i => i, long l => l, short s => s, byte b => b, double d => d, float f => f, decimal m => (double)m,
        _ => null,
    };
}
