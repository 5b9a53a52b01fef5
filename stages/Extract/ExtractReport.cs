namespace CrossDomain.Stages.Extract;

/// <summary>report.json of the extract stage.</summary>
public sealed class ExtractReport
{
    public string Extractor { get; set; } = "";
    public bool IsLlm { get; set; }
    public string? Notice { get; set; }
    public bool Synthetic { get; set; }
    public string SchemaOrigin { get; set; } = "";
    /// <summary>Per category (with a default label): items that got only its default label.</summary>
    public Dictionary<string, int> DefaultLabelItems { get; set; } = [];
    /// <summary>The same per category and domain.</summary>
    public Dictionary<string, Dictionary<string, int>> DefaultLabelItemsByDomain { get; set; } = [];
    /// <summary>Per domain, how many items have each metadata field the extractors read (<see cref="MetadataCoverage"/>).</summary>
    public Dictionary<string, MetadataCoverage> Metadata { get; set; } = [];
    /// <summary>Items that got only the default label of every category.</summary>
    public int ItemsWithOnlyDefaults { get; set; }
    /// <summary>Share of (item, category) pairs, over categories with a default, that got only the default label.</summary>
    public double DefaultLabelFraction { get; set; }
    public int Categories { get; set; }
    public int Items { get; set; }
    public Dictionary<string, int> ItemsByDomain { get; set; } = [];
    public int ItemsOk { get; set; }
    public int ItemsInvalid { get; set; }
    public int ItemsFailed { get; set; }
    public int DescriptionsMissing { get; set; }
    public int ItemTagsMissing { get; set; }
    public int ItemsWithoutTags { get; set; }
    public long Calls { get; set; }
    public long CacheHits { get; set; }
    public long Attempts { get; set; }
    public long Retries { get; set; }
    public long Timeouts { get; set; }
    public long Throttled { get; set; }
    public long ServerErrors { get; set; }
    public long Regenerations { get; set; }
    public long InvalidAnswers { get; set; }
    public long FailedCalls { get; set; }
    public long TokensIn { get; set; }
    public long TokensOut { get; set; }
    /// <summary>Batch mode: answers this run filed in the cache from finished jobs.</summary>
    public long BatchAnswers { get; set; }
    /// <summary>Batch mode: tokens of those answers, as the provider reported them.</summary>
    public long BatchTokensIn { get; set; }
    public long BatchTokensOut { get; set; }
    /// <summary>Batch mode: requests that failed in jobs this run collected (sent again in a follow-up job up to batch_max_tries).</summary>
    public long BatchRequestsFailed { get; set; }
    /// <summary>Batch mode: calls that failed in batch_max_tries jobs, reported as failed calls.</summary>
    public long BatchFailedCalls { get; set; }
    /// <summary>Batch mode: every job of this call cache so far.</summary>
    public List<string> BatchJobs { get; set; } = [];
    /// <summary>
    /// What this run's answered calls cost at <c>llm.price</c>, from the tokens the API reported (batch answers at the
    /// batch factor); null without a price.
    /// </summary>
    public double? Cost { get; set; }
    public string? Currency { get; set; }
    public long CachedTokensIn { get; set; }
    public long CachedTokensOut { get; set; }
    public double WallSeconds { get; set; }
    public double CallsPerSecond { get; set; }
    public int CacheEntries { get; set; }
    /// <summary>Items whose result came from the result memo (their cached answers were not re-validated).</summary>
    public int ItemsFromMemo { get; set; }
    public int VocabulariesFromMemo { get; set; }
    /// <summary>category → label → domain → items carrying it (after voting, before outlier filtering).</summary>
    public Dictionary<string, Dictionary<string, Dictionary<string, int>>> LabelFrequencies { get; set; } = [];
    public int OutlierMinItems { get; set; }
    public List<OutlierLabel> OutlierLabels { get; set; } = [];
    /// <summary>(item, category) pairs left without a label once outliers were removed.</summary>
    public int CategoriesEmptiedByOutliers { get; set; }
    public int TagVocabulary { get; set; }
    public Dictionary<string, int> TagsByDomain { get; set; } = [];
    public List<ExtractFailure> Failures { get; set; } = [];
    /// <summary>Per endpoint of a pool (<c>llm.endpoints</c>): what each did; empty for a single endpoint.</summary>
    public List<EndpointReport> Endpoints { get; set; } = [];
}

/// <summary>One endpoint of a pool in the extraction report.</summary>
public sealed class EndpointReport
{
    public string Endpoint { get; set; } = "";
    public double Weight { get; set; }
    /// <summary>Calls it answered.</summary>
    public long Calls { get; set; }
    /// <summary>Calls that failed there after its retries and went to another endpoint (or failed).</summary>
    public long Failures { get; set; }
    /// <summary>Mean seconds of its answered calls.</summary>
    public double MeanSeconds { get; set; }
    /// <summary>Times it was taken out of the pool.</summary>
    public long TakenOut { get; set; }
    /// <summary>Health checks it failed when a cool-down ended (each kept it out longer, without a call).</summary>
    public long FailedHealthChecks { get; set; }
}

/// <summary>Items with a title, a category path below the domain's root, a brand and a description.</summary>
public sealed record MetadataCoverage(int Items, int Title, int CategoryBelowRoot, int Brand, int Description)
{
    public static MetadataCoverage Of(IReadOnlyCollection<ItemText> items) => new(items.Count,
        items.Count(i => i.Title.Length > 0), items.Count(i => ItemText.CategoryTermsBelowRoot(i.Categories).Any()),
        items.Count(i => i.Brand.Length > 0), items.Count(i => i.Description.Length > 0));
}

public sealed record OutlierLabel(string Category, string Label, int Items);

public sealed record ExtractFailure(string Item, string Task, string Error);
