using CrossDomain.Engine.Stages;
using CrossDomain.Providers.Chat;
using CrossDomain.Providers.Services;
using CrossDomain.Stages.Shared;

namespace CrossDomain.Stages.Extract;

/// <summary>How the answer's JSON shape is requested.</summary>
public enum ResponseFormatMode
{
    /// <summary>JSON-schema structured output (Ollama <c>format</c>, OpenAI <c>response_format: json_schema</c>).</summary>
    JsonSchema,
    /// <summary>Any JSON object (<c>format: json</c>, <c>json_object</c>), for servers without schema support.</summary>
    Json,
    /// <summary>Nothing but the prompt's own JSON instructions.</summary>
    Text,
}

/// <summary>How the calls the cache lacks reach the model.</summary>
public enum LlmMode
{
    /// <summary>One request per call, answered at once (concurrency, requests_per_minute, endpoints apply).</summary>
    Stream,
    /// <summary>OpenAI / Azure OpenAI Batch jobs: half the price, answered within 24 hours; the stage waits across runs.</summary>
    Batch,
}

public enum TagSelection
{
    /// <summary>Top-R, then any other tag scoring at least θ, up to max_tags (TEMA-LLM's best, Table VI).</summary>
    Hybrid,
    TopR,
    Threshold,
}

public sealed class LlmParams : ProviderEndpointParams, IValidatableParams
{
    /// <summary>The deterministic keyword tagger over the item's own metadata: not an LLM; the default when none is configured.</summary>
    public const string Offline = "offline";
    /// <summary>Answers a user already has, in the JSON shape of SemaCDR's appendix, keyed by item id.</summary>
    public const string File = "file";

    private string _provider = Offline;

    [Param("offline (default, no LLM), file, or a model service: ollama, openai (any OpenAI-compatible server) or azure_openai.")]
    public string Provider { get => _provider; set => _provider = value.Trim().ToLowerInvariant().Replace('-', '_'); }

    [Param("file provider: JSON or JSON-lines answers keyed by item id (item, asin, parent_asin or mapped_id).")]
    public InputPath? ResponsesFile { get; set; }

    [Param("json_schema, json or text: how the answer's JSON shape is requested.")]
    public ResponseFormatMode ResponseFormat { get; set; } = ResponseFormatMode.JsonSchema;

    [Param("Seed sent with each call (plus the sample index), for providers that honour it.", Min = 0)]
    public int Seed { get; set; } = 42;

    [Param("Longest answer read per call, in bytes; a longer one is not read further and counts as an invalid answer.", Min = 1024)]
    public long MaxResponseBytes { get; set; } = 256 * 1024;

    // Written into the fingerprint only when set: stages that existed before the key keep theirs.
    [Param("More endpoints serving the same model (each { endpoint, weight }): calls are spread over endpoint and these by weight, an endpoint that fails a call is taken out for a while and the call goes to another; concurrency and requests_per_minute apply to each endpoint. Answers are cached without the endpoint.")]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public List<PoolEndpoint>? Endpoints { get; set; }

    // None of the mode's settings enters the fingerprint: the answers land in the same per-call cache either way.
    [Param("stream (a request per call) or batch (OpenAI / Azure OpenAI Batch jobs; run again to collect, see docs/llm-providers.md).")]
    [System.Text.Json.Serialization.JsonIgnore]
    public LlmMode Mode { get; set; } = LlmMode.Stream;

    [Param("Batch mode: how long one run waits for its jobs, polling, before it returns and leaves them in flight (0: submit or collect, then return).", Min = 0)]
    [System.Text.Json.Serialization.JsonIgnore]
    public double BatchWaitMinutes { get; set; }

    [Param("Batch mode: first interval between polls of the jobs while waiting; it doubles up to 10 minutes.", Min = 0.001)]
    [System.Text.Json.Serialization.JsonIgnore]
    public double BatchPollSeconds { get; set; } = 30;

    [Param("Batch mode: jobs a request may fail in (error, expiry, cancellation) before it is reported as a failed call.", Min = 1)]
    [System.Text.Json.Serialization.JsonIgnore]
    public int BatchMaxTries { get; set; } = 3;

    [Param("Batch mode: most requests per request file (OpenAI: 50,000).", Min = 1)]
    [System.Text.Json.Serialization.JsonIgnore]
    public int BatchMaxRequests { get; set; } = 50_000;

    [Param("Batch mode: largest request file in MB (OpenAI: 200).", Min = 0.001)]
    [System.Text.Json.Serialization.JsonIgnore]
    public double BatchMaxMb { get; set; } = 190;

    [Param("Prices per million tokens (input_per_million, output_per_million, batch_factor, currency): the estimate and the run report give costs with it.")]
    [System.Text.Json.Serialization.JsonIgnore] // a price changes no output
    public LlmPrice? Price { get; set; }

    /// <summary>How long an endpoint that failed a call (after its retries) stays out of the pool.</summary>
    public static readonly TimeSpan EndpointCooldown = TimeSpan.FromSeconds(30);

    public bool IsNetwork => ModelServices.Find(Provider) is not null;

    /// <summary>Endpoints the calls go to: <c>endpoint</c> and each of <c>endpoints</c>.</summary>
    public int EndpointCount => 1 + (Endpoints?.Count ?? 0);

    /// <summary>Every endpoint's options (this one's settings with its URL) and weight, <c>endpoint</c> first with weight 1.</summary>
    public IReadOnlyList<(ChatProviderOptions Options, double Weight)> PoolOptions()
    {
        var primary = ToOptions();
        return [(primary, 1.0), .. (Endpoints ?? []).Select(e => (primary with { Endpoint = new Uri(e.Endpoint) }, e.Weight))];
    }

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Provider is not (Offline or File) && !IsNetwork)
            yield return ("provider", $"unknown provider '{Provider}'; one of {Offline}, {File}, {string.Join(", ", ModelServices.Names)}");
        if (Provider == File && string.IsNullOrEmpty(ResponsesFile?.Value)) yield return ("responses_file", "the file provider needs responses_file");
        if (Mode == LlmMode.Batch && Provider is not ("openai" or "azure_openai"))
            yield return ("mode", $"batch mode needs provider openai or azure_openai (their Batch APIs), not {Provider}");
        if (Mode == LlmMode.Batch && Endpoints is { Count: > 0 }) yield return ("mode", "batch mode sends jobs to endpoint alone; drop endpoints or use stream");
        foreach (var e in ValidateEndpoint(IsNetwork, Provider)) yield return e;
        for (int i = 0; i < (Endpoints?.Count ?? 0); i++)
        {
            var entry = Endpoints![i];
            if (!IsNetwork) yield return ($"endpoints[{i}]", $"only a model service calls endpoints; provider is {Provider}");
            else if (!Uri.TryCreate(entry.Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                yield return ($"endpoints[{i}].endpoint", $"'{entry.Endpoint}' is not an http(s) URL");
            if (entry.Weight <= 0) yield return ($"endpoints[{i}].weight", "must be > 0");
        }
    }

    public ChatProviderOptions ToOptions()
    {
        if (!IsNetwork) throw new InvalidOperationException($"{Provider} is not a network provider");
        var options = ToOptions(Provider);
        return options with { Resilience = options.Resilience with { MaxResponseBytes = MaxResponseBytes } };
    }
}

public sealed class ExtractParams : IValidatableParams
{
    [Param("The LLM (or offline/file extractor) and how to reach it.")]
    public LlmParams Llm { get; set; } = new();

    [Param("A schema file (YAML, see prompts/food-kitchen-schema.yaml): skips LLM schema induction. Empty: an LLM induces it; the offline extractor derives one from the category trees.")]
    public InputPath? SchemaFile { get; set; }

    [Param("Extract only items in a sequences stage's item_index (add it to deps), not every item of ingest.items.")]
    public bool OnlyIndexedItems { get; set; }

    [Param("Display names of the domains in prompts (domain key → name); the key itself when absent.")]
    public Dictionary<string, string> DomainNames { get; set; } = [];

    [Param("Longest item description put in a prompt, in characters.", Min = 0)]
    public int MaxDescriptionChars { get; set; } = 1000;

    // SemaCDR schema induction
    [Param("K: domain-agnostic categories to induce (SemaCDR: K = 8 works best).", Min = 1)]
    public int Categories { get; set; } = 8;
    [Param("Most subcategory labels per induced category.", Min = 1)]
    public int LabelsPerCategory { get; set; } = 12;
    [Param("R: schema induction prompts, each with its own item sample. Unset: the template's front-matter 'queries', else 5.", Min = 1)]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? SchemaQueries { get; set; }
    [Param("Items shown per schema induction prompt (half from each domain).", Min = 1)]
    public int SchemaSampleItems { get; set; } = 40;
    [Param("A category or label is kept when at least this fraction of the answers proposes it.", Min = 0, Max = 1)]
    public double SchemaMinAgreement { get; set; } = 0.5;
    [Param("Template for schema induction.")]
    public InputPath SchemaPrompt { get; set; } = "prompts/schema_induction.hbs";

    // SemaCDR T_rec and inner-domain description
    [Param("N: T_rec answers per item; labels are voted per category, one summary chosen. Unset: the template's front-matter 'samples', else 3.", Min = 1)]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? Samples { get; set; }
    [Param("Sampling temperature of the N T_rec answers and of schema induction. Unset: each template's front-matter 'temperature', else 0.7.", Min = 0, Max = 2)]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? Temperature { get; set; }
    [Param("Regenerations of a non-conforming answer (unknown label, missing category, bad JSON) before it counts as failed.", Min = 0)]
    public int MaxRegenerations { get; set; } = 2;
    [Param("Fail when more than this fraction of items has no valid answer after regenerations.", Min = 0, Max = 1)]
    public double MaxInvalidFraction { get; set; } = 0.05;
    [Param("Template T_rec.")]
    public InputPath SemanticsPrompt { get; set; } = "prompts/item_semantics.hbs";
    [Param("Template for the enriched domain-specific description.")]
    public InputPath DescriptionPrompt { get; set; } = "prompts/item_description.hbs";
    [Param("Temperature of the description prompt. Unset: its front-matter 'temperature', else 0.3.", Min = 0, Max = 2)]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? DescriptionTemperature { get; set; }
    [Param("Labels carried by fewer than this fraction of items are filtered as outliers (SemaCDR appendix C).", Min = 0, Max = 1)]
    public double OutlierMinFraction { get; set; } = 0.001;

    // TEMA-LLM tags
    [Param("N: tags asked per domain query.", Min = 1)]
    public int TagsPerDomain { get; set; } = 30;
    [Param("R: tag vocabulary queries per domain, at temperature 0 (TEMA-LLM Algorithm 1). Unset: the template's front-matter 'queries', else 5.", Min = 1)]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? TagQueries { get; set; }
    [Param("A tag enters a domain's list when at least this fraction of its queries proposes it.", Min = 0, Max = 1)]
    public double TagMinAgreement { get; set; } = 0.5;
    [Param("Example titles per domain shown in the tag prompt (0: the domain name only, as in the paper).", Min = 0)]
    public int TagPromptExamples { get; set; }
    [Param("Template P_domain.")]
    public InputPath TagVocabularyPrompt { get; set; } = "prompts/tag_vocabulary.hbs";
    [Param("Template for scoring an item against the vocabulary.")]
    public InputPath ItemTagsPrompt { get; set; } = "prompts/item_tags.hbs";
    [Param("hybrid, top_r or threshold.")]
    public TagSelection TagSelection { get; set; } = TagSelection.Hybrid;
    [Param("R of top-R tag selection (TEMA-LLM: 5).", Min = 1)]
    public int TagTopR { get; set; } = 5;
    [Param("θ of threshold selection, on the 1–100 scale (TEMA-LLM: 70).", Min = 1, Max = 100)]
    public int TagThreshold { get; set; } = 70;
    [Param("Most tags kept per item.", Min = 1)]
    public int MaxTagsPerItem { get; set; } = 10;

    [Param("Folder of the per-call cache, relative to the artifacts folder; shared by every stage and pipeline pointing at it.")]
    public string CacheDir { get; set; } = ".cache/llm";

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Categories < 1) yield return ("categories", "must be >= 1");
        if (LabelsPerCategory < 1) yield return ("labels_per_category", "must be >= 1");
        if (SchemaQueries is < 1) yield return ("schema_queries", "must be >= 1");
        if (SchemaSampleItems < 2) yield return ("schema_sample_items", "must be >= 2");
        if (Samples is < 1) yield return ("samples", "must be >= 1");
        if (MaxRegenerations < 0) yield return ("max_regenerations", "must be >= 0");
        if (TagsPerDomain < 1) yield return ("tags_per_domain", "must be >= 1");
        if (TagQueries is < 1) yield return ("tag_queries", "must be >= 1");
        if (TagTopR < 1) yield return ("tag_top_r", "must be >= 1");
        if (TagThreshold is < 1 or > 100) yield return ("tag_threshold", "must be between 1 and 100");
        if (MaxTagsPerItem < TagTopR) yield return ("max_tags_per_item", "must be >= tag_top_r");
        foreach (var (key, value) in new[] { ("schema_min_agreement", SchemaMinAgreement), ("tag_min_agreement", TagMinAgreement),
                     ("max_invalid_fraction", MaxInvalidFraction), ("outlier_min_fraction", OutlierMinFraction) })
            if (value is < 0 or > 1) yield return (key, "must be between 0 and 1");
        if (Temperature is < 0 or > 2) yield return ("temperature", "must be between 0 and 2");
        if (DescriptionTemperature is < 0 or > 2) yield return ("description_temperature", "must be between 0 and 2");
        foreach (var e in Llm.Validate()) yield return ("llm." + e.Key, e.Message);
    }
}

/// <summary>One more endpoint of an LLM pool (<c>llm.endpoints</c>).</summary>
public sealed class PoolEndpoint
{
    [Param("Base URL, as llm.endpoint.")]
    public string Endpoint { get; set; } = "";

    [Param("Share of the calls relative to the others (llm.endpoint has weight 1).")]
    public double Weight { get; set; } = 1;
}

/// <summary>
/// The counts and temperatures an extraction runs with: each param when set, else the template's front-matter
/// (<see cref="PromptSettings"/>), else the built-in default (the values the params had before prompts carried them).
/// </summary>
public sealed record ResolvedPromptSettings(int Samples, int SchemaQueries, int TagQueries, double Temperature, double SchemaTemperature,
    double DescriptionTemperature, double TagVocabularyTemperature, double ItemTagsTemperature)
{
    public static ResolvedPromptSettings From(ExtractParams p, Func<InputPath, PromptSettings> prompt)
    {
        var (schema, semantics, description) = (prompt(p.SchemaPrompt), prompt(p.SemanticsPrompt), prompt(p.DescriptionPrompt));
        var (vocabulary, itemTags) = (prompt(p.TagVocabularyPrompt), prompt(p.ItemTagsPrompt));
        return new ResolvedPromptSettings(
            Samples: p.Samples ?? semantics.Samples ?? 3,
            SchemaQueries: p.SchemaQueries ?? schema.Queries ?? 5,
            TagQueries: p.TagQueries ?? vocabulary.Queries ?? 5,
            Temperature: p.Temperature ?? semantics.Temperature ?? 0.7,
            SchemaTemperature: p.Temperature ?? schema.Temperature ?? 0.7,
            DescriptionTemperature: p.DescriptionTemperature ?? description.Temperature ?? 0.3,
            // TEMA-LLM queries its tag lists and scores under deterministic decoding.
            TagVocabularyTemperature: vocabulary.Temperature ?? 0,
            ItemTagsTemperature: itemTags.Temperature ?? 0);
    }
}
