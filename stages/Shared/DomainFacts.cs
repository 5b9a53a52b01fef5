namespace CrossDomain.Stages.Shared;

/// <summary>The fact "which domains the data holds": declared by ingest, checked by the stages that name domains.</summary>
public static class DomainFacts
{
    public const string Domains = "domains";

    public static IReadOnlyDictionary<string, IReadOnlyCollection<string>> Declare(IEnumerable<string> domains) =>
        new Dictionary<string, IReadOnlyCollection<string>> { [Domains] = domains.ToList() };

    /// <summary>(key, message) when <paramref name="domain"/> is not among the upstream's domains; nothing when no upstream says.</summary>
    public static IEnumerable<(string Key, string Message)> Check(string key, string domain, IReadOnlyDictionary<string, IReadOnlyCollection<string>> upstream)
    {
        if (domain.Length == 0 || !upstream.TryGetValue(Domains, out var known) || known.Contains(domain)) yield break;
        yield return (key, $"no domain '{domain}' in the data: ingest's domains are {string.Join(", ", known.Order(StringComparer.Ordinal))}");
    }
}
