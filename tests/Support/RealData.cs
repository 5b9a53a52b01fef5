namespace CrossDomain.Tests.Support;

/// <summary>
/// The real Amazon 2014 Food-Kitchen subset in ../shared/data, beside the repository. CI has it; a newcomer's clone
/// may not, and there the tests on it (<see cref="RealDataFactAttribute"/>) are skipped with the reason. .ci/run sets
/// CROSSDOMAIN_REQUIRE_REAL_DATA=1, so that on CI a missing folder fails those tests instead of skipping them.
/// </summary>
public static class RealData
{
    public static readonly string Dir = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../shared/data/amazon2014-food-kitchen"));

    public const string RequireVariable = "CROSSDOMAIN_REQUIRE_REAL_DATA";

    /// <summary>Why a real-data test is skipped here, or null where it runs.</summary>
    public static string? SkipReason(string folder, string? require) =>
        Directory.Exists(folder) || require == "1"
            ? null
            : $"real data not found at {folder} (the tests expect ../shared/data beside the repository; {RequireVariable}=1 makes this a failure)";
}

/// <summary>A fact that reads <see cref="RealData.Dir"/>: skipped, with the reason, where the folder is absent.</summary>
public sealed class RealDataFactAttribute : FactAttribute
{
    public RealDataFactAttribute() => Skip = RealData.SkipReason(RealData.Dir, Environment.GetEnvironmentVariable(RealData.RequireVariable))!;
}
