using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Synthesize;

public sealed class SynthesizeParams : IValidatableParams
{
    [Param("Random seed: same seed, same bytes.", Min = 0)]
    public int Seed { get; set; } = 7;

    [Param("Users; every one is active in both domains before filtering (some fall below thresholds).", Min = 1)]
    public int Users { get; set; } = 1500;

    [Param("Items per domain.", Min = 1)]
    public int ItemsPerDomain { get; set; } = 500;

    [Param("Latent themes shared by both domains (each user prefers a few).", Min = 1)]
    public int Themes { get; set; } = 10;

    [Param("Median interactions per user per domain; activity is log-normal (skewed).", Min = 0, MinExclusive = true)]
    public double MedianInteractionsPerDomain { get; set; } = 7;

    [Param("Probability that an interaction follows the user's themes rather than a random one.", Min = 0, Max = 1)]
    public double PreferenceStrength { get; set; } = 0.85;

    [Param("Dirichlet concentration of a user's preference over themes: smaller means fewer themes per user.", Min = 0, MinExclusive = true)]
    public double PreferenceConcentration { get; set; } = 0.1;

    [Param("Probability that an interaction keeps the theme of the user's previous one (either domain): short-term interest, the sequential signal.", Min = 0, Max = 1)]
    public double ThemePersistence { get; set; } = 0.5;

    [Param("Zipf exponent of item popularity within a theme: larger means popularity alone predicts more.", Min = 0)]
    public double PopularitySkew { get; set; } = 0.6;

    [Param("Malformed lines written into each file (tests the ingest's bad-line handling).", Min = 0)]
    public int MalformedLinesPerFile { get; set; } = 2;

    [Param("Exact duplicate lines written into each file.", Min = 0)]
    public int DuplicateLinesPerFile { get; set; } = 3;

    [Param("First day of the timeline (UTC), yyyy-MM-dd.")]
    public string StartDate { get; set; } = "2010-01-01";

    [Param("Length of the timeline in days.", Min = 1)]
    public int Days { get; set; } = 1500;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Users < 1) yield return ("users", "must be >= 1");
        if (ItemsPerDomain < 1) yield return ("items_per_domain", "must be >= 1");
        if (Themes < 1 || Themes > Vocabulary.Themes.Length) yield return ("themes", $"must be between 1 and {Vocabulary.Themes.Length}");
        if (MedianInteractionsPerDomain <= 0) yield return ("median_interactions_per_domain", "must be > 0");
        if (PreferenceStrength is < 0 or > 1) yield return ("preference_strength", "must be between 0 and 1");
        if (PreferenceConcentration <= 0) yield return ("preference_concentration", "must be > 0");
        if (ThemePersistence is < 0 or > 1) yield return ("theme_persistence", "must be between 0 and 1");
        if (PopularitySkew < 0) yield return ("popularity_skew", "must be >= 0");
        if (!DateOnly.TryParseExact(StartDate, "yyyy-MM-dd", out _)) yield return ("start_date", "expected yyyy-MM-dd");
        if (Days < 30) yield return ("days", "must be >= 30");
        if (MalformedLinesPerFile < 0 || DuplicateLinesPerFile < 0) yield return ("malformed_lines_per_file", "counts must be >= 0");
    }
}
