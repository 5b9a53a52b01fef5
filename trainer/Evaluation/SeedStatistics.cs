using System.Globalization;

namespace CrossDomain.Trainer.Evaluation;

/// <summary>Mean ± standard deviation over seeds, as every results page shows them.</summary>
public static class SeedStatistics
{
    /// <summary>Mean and sample standard deviation (n − 1) over seeds; the std of one value is 0.</summary>
    public static (double Mean, double Std) MeanStd(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        return (mean, values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0);
    }

    /// <summary>Mean ± sample standard deviation (n − 1), two decimals; just the mean for one seed.</summary>
    public static string Format(IReadOnlyList<double> values)
    {
        var (mean, std) = MeanStd(values);
        if (values.Count == 1) return mean.ToString("F2", CultureInfo.InvariantCulture);
        return $"{mean.ToString("F2", CultureInfo.InvariantCulture)} ± {std.ToString("F2", CultureInfo.InvariantCulture)}";
    }
}
