using System.Globalization;
using System.Text.Json;
using CrossDomain.Providers.Caching;
using CrossDomain.Providers.Chat;
using CrossDomain.Providers.Resilience;
using Microsoft.Extensions.AI;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// Which template serves which task, and what is not per prompt; the per-prompt counts and temperatures are
/// <see cref="Prompts"/> (each template's front-matter under the stage's params).
/// </summary>
public sealed record LlmTaskSettings(
    string SchemaTemplate, string SemanticsTemplate, string DescriptionTemplate, string TagVocabularyTemplate, string ItemTagsTemplate,
    int Categories, int LabelsPerCategory, int TagsPerDomain, int TagPromptExamples, ResolvedPromptSettings Prompts,
    int MaxRegenerations, ResponseFormatMode Format, int Seed, IReadOnlyDictionary<string, string> DomainNames);

/// <summary>
/// Semantics from a chat model behind <see cref="IChatClient"/>. Every call goes through the per-call cache as chat
/// middleware (<see cref="CallCachingChatClient"/>; see <see cref="AskAsync{T}"/> for its key). A non-conforming answer is regenerated up to a limit by telling the model
/// what was wrong.
/// </summary>
public sealed class LlmSemanticsSource(
    string provider, string model, ChatConnection connection, LazyCallCache calls, PromptTemplates templates,
    LlmTaskSettings settings, ExtractionCounters counters, CallPlan? plan = null) : ISemanticsSource
{
    // The response formats, built once per source (and per schema / vocabulary; lock-free: a race builds one twice).
    private ChatResponseFormat? _tagListFormat, _schemaProposalFormat, _descriptionFormat;
    private (SemanticSchema Schema, ChatResponseFormat? Format)? _answerFormat;
    private (TagVocabulary Vocabulary, ChatResponseFormat? Format)? _tagScoreFormat;

    /// <summary>The structured-output format of a task under <c>llm.response_format</c>.</summary>
    private ChatResponseFormat? Format(JsonElement schema, string task) => settings.Format switch
    {
        ResponseFormatMode.JsonSchema => ChatResponseFormat.ForJsonSchema(schema, task),
        ResponseFormatMode.Json => ChatResponseFormat.Json,
        _ => null,
    };

    public string Description => $"{provider} {model}";

    public string? ResultContext(SemanticSchema schema, TagVocabulary vocabulary)
    {
        string Version(string t) => string.Join('@', templates.Identity(t).Name, templates.Identity(t).Version);
        return Identity(provider, model, settings.Format, Version(settings.SemanticsTemplate), Version(settings.DescriptionTemplate),
            Version(settings.ItemTagsTemplate), settings.Prompts.Temperature.ToString("R", CultureInfo.InvariantCulture),
            settings.Prompts.DescriptionTemperature.ToString("R", CultureInfo.InvariantCulture), settings.Seed, settings.MaxRegenerations,
            Identity(settings.DomainNames.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => d.Key + "=" + d.Value).ToArray()),
            schema.Identity, vocabulary.Json) + (settings.Prompts.ItemTagsTemperature == 0 ? "" : "|item_tags_temperature=" + settings.Prompts.ItemTagsTemperature.ToString("R", CultureInfo.InvariantCulture));
    }

    public string? VocabularyContext(string domain, IReadOnlyList<ItemText> domainItems)
    {
        var (name, version) = templates.Identity(settings.TagVocabularyTemplate);
        return Identity(provider, model, settings.Format, name, version, settings.Seed, settings.MaxRegenerations, DomainName(domain),
            settings.TagsPerDomain, Identity(Examples(domainItems).ToArray()))
            + (settings.Prompts.TagVocabularyTemperature == 0 ? "" : "|temperature=" + settings.Prompts.TagVocabularyTemperature.ToString("R", CultureInfo.InvariantCulture));
    }
    public bool IsLlm => true;
    public bool IsDeterministic => false;
    public bool CanInduceSchema => true;

    private string Domains => string.Join(" or ", settings.DomainNames.Values);
    private string DomainName(string domain) => settings.DomainNames.GetValueOrDefault(domain, domain);

    public Task<Answer<SchemaProposal>> ProposeSchemaAsync(IReadOnlyList<ItemText> sample, int query, CancellationToken ct) =>
        AskAsync("schema", $"query {query}", settings.SchemaTemplate, () => new Dictionary<string, object>
        {
            ["k"] = settings.Categories,
            ["labels_per_category"] = settings.LabelsPerCategory,
            ["domains"] = Domains,
            ["items"] = sample.Select(i => new Dictionary<string, object> { ["domain"] = DomainName(i.Domain), ["title"] = i.Title.Length > 0 ? i.Title : "untitled", ["categories"] = i.Categories }).ToList(),
        }, Identity(settings.Categories, settings.LabelsPerCategory, Domains, Identity(sample.Select(i => i.Identity).ToArray())),
            query, settings.Prompts.SchemaTemperature, _schemaProposalFormat ??= Format(AnswerSchemas.SchemaProposal, "schema"), AnswerValidators.Schema, ct);

    public Task<Answer<LabelAnswer>> LabelItemAsync(ItemText item, SemanticSchema schema, int sample, CancellationToken ct)
    {
        if (_answerFormat is not { } built || !ReferenceEquals(built.Schema, schema))
            _answerFormat = built = (schema, Format(schema.AnswerJsonSchema(), "item_semantics"));
        var format = built.Format;
        return AskAsync("item_semantics", item.Id, settings.SemanticsTemplate, () => new Dictionary<string, object>
        {
            ["domains"] = Domains,
            ["item"] = item.TemplateModel(),
            ["schema"] = schema.TemplateModel(),
        }, Identity(Domains, item.Identity, schema.Identity), sample, settings.Prompts.Temperature, format, text => AnswerValidators.Labels(text, schema), ct);
    }

    public Task<Answer<string>> DescribeItemAsync(ItemText item, CancellationToken ct) =>
        AskAsync("item_description", item.Id, settings.DescriptionTemplate, () => new Dictionary<string, object>
        {
            ["domain"] = DomainName(item.Domain),
            ["item"] = item.TemplateModel(),
        }, Identity(DomainName(item.Domain), item.Identity), 0, settings.Prompts.DescriptionTemperature, _descriptionFormat ??= Format(AnswerSchemas.Description, "item_description"), AnswerValidators.Description, ct);

    public Task<Answer<List<ScoredTag>>> ProposeTagsAsync(string domain, IReadOnlyList<ItemText> domainItems, int query, CancellationToken ct) =>
        // TEMA-LLM: R queries under deterministic decoding (T = 0); the query index keeps them distinct calls.
        AskAsync("tag_vocabulary", domain, settings.TagVocabularyTemplate, () => new Dictionary<string, object>
        {
            ["domain"] = DomainName(domain),
            ["n"] = settings.TagsPerDomain,
            ["examples"] = Examples(domainItems),
        }, Identity(DomainName(domain), settings.TagsPerDomain, Identity(Examples(domainItems).ToArray())), query, settings.Prompts.TagVocabularyTemperature,
            _tagListFormat ??= Format(AnswerSchemas.TagList, "tag_vocabulary"), AnswerValidators.TagList, ct);

    public Task<Answer<Dictionary<int, int>>> ScoreTagsAsync(ItemText item, TagVocabulary vocabulary, CancellationToken ct)
    {
        if (_tagScoreFormat is not { } built || !ReferenceEquals(built.Vocabulary, vocabulary))
            _tagScoreFormat = built = (vocabulary, Format(JsonSerializer.SerializeToElement(new Dictionary<string, object>
                {
                    ["type"] = "object",
                    ["properties"] = new Dictionary<string, object>
                    {
                        ["tags"] = new Dictionary<string, object>
                        {
                            ["type"] = "object",
                            ["properties"] = vocabulary.Tags.ToDictionary(t => t, _ => (object)new Dictionary<string, object> { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 100 }),
                            ["additionalProperties"] = false,
                        },
                    },
                    ["required"] = new[] { "tags" },
                }), "item_tags"));
        var format = built.Format;
        return AskAsync("item_tags", item.Id, settings.ItemTagsTemplate, () => new Dictionary<string, object>
        {
            ["domain"] = DomainName(item.Domain),
            ["item"] = item.TemplateModel(),
            ["tags"] = vocabulary.Tags,
            ["tags_json"] = vocabulary.Json,
        }, Identity(DomainName(item.Domain), item.Identity, vocabulary.Json), 0, settings.Prompts.ItemTagsTemperature, format, text => AnswerValidators.TagScores(text, vocabulary.Index), ct);
    }

    private List<string> Examples(IReadOnlyList<ItemText> domainItems) =>
        domainItems.Where(i => i.Title.Length > 0).Take(settings.TagPromptExamples).Select(i => i.Title).ToList();

    /// <summary>An unambiguous text of the values a prompt is rendered from (length-prefixed, so no two lists collide).</summary>
    private static string Identity(params object[] parts) => CallKey.Of(parts.Select(p => Convert.ToString(p, CultureInfo.InvariantCulture) ?? "").ToArray());

    /// <summary>
    /// One answer, from the cache or the model, through <see cref="CallCachingChatClient"/>. The cache key of the first
    /// attempt hashes provider, model, template name and version (the hash of its text), response format, temperature,
    /// sample index and the identity of every value the template is rendered from: the rendered prompt is a function of
    /// exactly these, so the messages are rendered only when the cache misses (which keeps a fully cached rerun fast). A
    /// regeneration's key chains the previous key with the rejected answer and the correction sent.
    /// </summary>
    private async Task<Answer<T>> AskAsync<T>(string task, string subject, string template, Func<object> templateModel, string modelIdentity,
        int sample, double temperature, ChatResponseFormat? format, Func<string, Answer<T>> validate, CancellationToken ct)
    {
        var (templateName, templateVersion) = templates.Identity(template);
        var rendered = new Lazy<string>(() => templates.Render(template, templateModel()));
        var key = CallKey.Of(provider, model, templateName, templateVersion, settings.Format.ToString(),
            temperature.ToString("R", CultureInfo.InvariantCulture), sample.ToString(CultureInfo.InvariantCulture), modelIdentity);
        var options = new ChatOptions
        {
            Temperature = (float)temperature,
            Seed = settings.Seed + sample,
            ResponseFormat = format,
        };
        var corrections = new List<(string Rejected, string Correction)>();
        string lastError = "", templateId = $"{templateName}@{templateVersion}";
        var client = await ClientAsync(ct);
        for (int attempt = 0; attempt <= settings.MaxRegenerations; attempt++)
        {
            var call = new ChatCall(key, task, subject, sample, attempt, provider, model, templateId);
            ChatResponse response;
            try { response = await client.GetResponseAsync(Prompt(rendered, [.. corrections]), call.Attach(options), ct); }
            catch (LlmCallException) { throw; } // a planned call given up on (PlanningChatClient)
            catch (Exception e) when (Inner<ResponseTooLargeException>(e) is { } tooLong)
            {
                // Not cached (nothing complete was read) and not regenerated: a runaway answer tends to run away again.
                counters.InvalidAnswer();
                return Answer<T>.Failure(tooLong.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Counted as failed by the client's middleware (ChatConnection.Usage).
                throw new LlmCallException(connection.Redact($"{task} for {subject}: {e.GetType().Name}: {e.Message}"), e);
            }
            // Estimate or batch mode: the call was set aside; a batch job's answer comes back through the cache.
            if (CallCachingChatClient.IsUnanswered(response)) return Answer<T>.Deferred();
            // Answered calls' tokens are counted by the connection's middleware; cached ones here.
            if (CallCachingChatClient.IsFromCache(response)) counters.CacheHit(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
            var text = response.Text ?? "";
            var answer = validate(text);
            if (answer.Ok) return answer;
            lastError = answer.Error!;
            if (attempt == settings.MaxRegenerations) break;
            counters.Regeneration();
            var correction = $"Your answer does not follow the instructions: {lastError}. Answer again with only the JSON, following every rule.";
            corrections.Add((text, correction));
            key = CallKey.Of(key, text, correction);
        }
        counters.InvalidAnswer();
        return Answer<T>.Failure(lastError);
    }

    /// <summary>The messages of an attempt, rendered when first enumerated: a cache hit never enumerates them.</summary>
    private static IEnumerable<ChatMessage> Prompt(Lazy<string> rendered, (string Rejected, string Correction)[] corrections)
    {
        yield return new ChatMessage(ChatRole.User, rendered.Value);
        foreach (var (rejected, sent) in corrections)
        {
            yield return new ChatMessage(ChatRole.Assistant, rejected);
            yield return new ChatMessage(ChatRole.User, sent);
        }
    }

    private IChatClient? _client;

    /// <summary>
    /// The cache over the connection (or, for an estimate or batch run, over the planner), built when the cache is
    /// first needed: a rerun served entirely by <see cref="ResultMemo"/> never opens it.
    /// </summary>
    private async ValueTask<IChatClient> ClientAsync(CancellationToken ct)
    {
        if (_client is { } built) return built;
        var cache = await calls.GetAsync(ct);
        IChatClient inner = plan is null ? connection.Client : new PlanningChatClient(plan);
        built = inner.AsBuilder().Use(i => new CallCachingChatClient(i, cache)).Build();
        return Interlocked.CompareExchange(ref _client, built, null) ?? built;
    }

    public void Dispose() => connection.Dispose();

    internal static TException? Inner<TException>(Exception e) where TException : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is TException t) return t;
        return null;
    }
}

/// <summary>The per-call cache, opened on first use: a rerun served entirely by <see cref="ResultMemo"/> never reads it.</summary>
public sealed class LazyCallCache(string directory)
{
    private readonly Lazy<Task<CallCache>> _open = new(() => Task.Run(() => CallCache.OpenAsync(directory)));

    public Task<CallCache> GetAsync(CancellationToken ct) => _open.Value.WaitAsync(ct);

    /// <summary>The cache if it was opened (and opened successfully).</summary>
    public CallCache? Opened => _open.IsValueCreated && _open.Value.IsCompletedSuccessfully ? _open.Value.Result : null;
}

/// <summary>A call that failed at the transport level after every retry (message already free of secrets).</summary>
public sealed class LlmCallException(string message, Exception inner) : Exception(message, inner);
