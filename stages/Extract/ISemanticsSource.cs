namespace CrossDomain.Stages.Extract;

/// <summary>
/// Where item semantics come from: an LLM (<see cref="LlmSemanticsSource"/>, any IChatClient), answers from a file
/// (<see cref="FileSemanticsSource"/>), or the deterministic keyword tagger (<see cref="OfflineSemanticsSource"/>).
/// Voting, selection and outlier filtering sit above this interface and treat every source alike.
/// </summary>
public interface ISemanticsSource : IDisposable
{
    /// <summary>For reports and artifact metadata: "ollama llama3.1:8b", "offline (keyword tagger, not an LLM)", ...</summary>
    string Description { get; }

    /// <summary>True for an actual language model.</summary>
    bool IsLlm { get; }

    /// <summary>True when repeated samples would be identical (the N and R repetitions collapse to one).</summary>
    bool IsDeterministic { get; }

    /// <summary>Whether it can induce a schema (only an LLM can).</summary>
    bool CanInduceSchema { get; }

    Task<Answer<SchemaProposal>> ProposeSchemaAsync(IReadOnlyList<ItemText> sample, int query, CancellationToken ct);

    Task<Answer<LabelAnswer>> LabelItemAsync(ItemText item, SemanticSchema schema, int sample, CancellationToken ct);

    Task<Answer<string>> DescribeItemAsync(ItemText item, CancellationToken ct);

    /// <summary>TEMA-LLM P_domain || d: N tags with scores in [0, 1] for one domain.</summary>
    Task<Answer<List<ScoredTag>>> ProposeTagsAsync(string domain, IReadOnlyList<ItemText> domainItems, int query, CancellationToken ct);

    /// <summary>1–100 scores of the item against the vocabulary (keys: vocabulary indices).</summary>
    Task<Answer<Dictionary<int, int>>> ScoreTagsAsync(ItemText item, TagVocabulary vocabulary, CancellationToken ct);

    /// <summary>
    /// Everything besides the item's own fields that determines its answers (for <see cref="ResultMemo"/>), or null
    /// when results are not worth memoising (no calls behind them).
    /// </summary>
    string? ResultContext(SemanticSchema schema, TagVocabulary vocabulary) => null;

    /// <summary>Likewise for one domain's tag-list queries.</summary>
    string? VocabularyContext(string domain, IReadOnlyList<ItemText> domainItems) => null;
}

/// <summary>The shared tag vocabulary T, with a lookup by normalised tag.</summary>
public sealed class TagVocabulary
{
    public IReadOnlyList<string> Tags { get; }
    public IReadOnlyDictionary<string, int> Index { get; }
    /// <summary>The tags as a JSON array, for prompts.</summary>
    public string Json { get; }

    public TagVocabulary(IReadOnlyList<string> tags)
    {
        Tags = tags;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tags.Count; i++) index.TryAdd(SemanticSchema.Normalize(tags[i]), i);
        Index = index;
        Json = PromptJson.Array(tags);
    }
}
