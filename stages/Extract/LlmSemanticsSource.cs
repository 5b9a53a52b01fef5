using System.Diagnostics;
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
/// Semantics from a chat model behind <see cref="IChatClient"/>. Every call goes through the per-call cache (see
/// <see cref="AskAsync{T}"/> for its key). A non-conforming answer is regenerated up to a limit by telling the model
/// what was wrong.
/// </summary>
public sealed class LlmSemanticsSource(
    string provider, string model, ChatConnection connection, LazyCallCache calls, PromptTemplates templates,
    LlmTaskSettings settings, ExtractionCounters counters, CallPlan? plan = null) : ISemanticsSource
{
    private static readonly JsonElement TagListSchema = AnswerSchemas.TagList;
    private static readonly JsonElement SchemaProposalSchema = AnswerSchemas.SchemaProposal;
    private static readonly JsonElement DescriptionSchema = AnswerSchemas.Description;

    // The structured-output schema of the current schema / vocabulary, built once (lock-free: a race builds it twice).
    private (SemanticSchema Schema, JsonElement Json)? _answerSchema;
    private (TagVocabulary Vocabulary, JsonElement Json)? _tagScoreSchema;

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
            query, settings.Prompts.SchemaTemperature, SchemaProposalSchema, AnswerValidators.Schema, ct);

    public Task<Answer<LabelAnswer>> LabelItemAsync(ItemText item, SemanticSchema schema, int sample, CancellationToken ct)
    {
        if (_answerSchema is not { } built || !ReferenceEquals(built.Schema, schema)) _answerSchema = built = (schema, schema.AnswerJsonSchema());
        var jsonSchema = built.Json;
        return AskAsync("item_semantics", item.Id, settings.SemanticsTemplate, () => new Dictionary<string, object>
        {
            ["domains"] = Domains,
            ["item"] = item.TemplateModel(),
            ["schema"] = schema.TemplateModel(),
        }, Identity(Domains, item.Identity, schema.Identity), sample, settings.Prompts.Temperature, jsonSchema, text => AnswerValidators.Labels(text, schema), ct);
    }

    public Task<Answer<string>> DescribeItemAsync(ItemText item, CancellationToken ct) =>
        AskAsync("item_description", item.Id, settings.DescriptionTemplate, () => new Dictionary<string, object>
        {
            ["domain"] = DomainName(item.Domain),
            ["item"] = item.TemplateModel(),
        }, Identity(DomainName(item.Domain), item.Identity), 0, settings.Prompts.DescriptionTemperature, DescriptionSchema, AnswerValidators.Description, ct);

    public Task<Answer<List<ScoredTag>>> ProposeTagsAsync(string domain, IReadOnlyList<ItemText> domainItems, int query, CancellationToken ct) =>
        // TEMA-LLM: R queries under deterministic decoding (T = 0); the query index keeps them distinct calls.
        AskAsync("tag_vocabulary", domain, settings.TagVocabularyTemplate, () => new Dictionary<string, object>
        {
            ["domain"] = DomainName(domain),
            ["n"] = settings.TagsPerDomain,
            ["examples"] = Examples(domainItems),
        }, Identity(DomainName(domain), settings.TagsPerDomain, Identity(Examples(domainItems).ToArray())), query, settings.Prompts.TagVocabularyTemperature, TagListSchema, AnswerValidators.TagList, ct);

    public Task<Answer<Dictionary<int, int>>> ScoreTagsAsync(ItemText item, TagVocabulary vocabulary, CancellationToken ct)
    {
        if (_tagScoreSchema is not { } built || !ReferenceEquals(built.Vocabulary, vocabulary))
            _tagScoreSchema = built = (vocabulary, JsonSerializer.SerializeToElement(new Dictionary<string, object>
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
                }));
        var jsonSchema = built.Json;
        return AskAsync("item_tags", item.Id, settings.ItemTagsTemplate, () => new Dictionary<string, object>
        {
            ["domain"] = DomainName(item.Domain),
            ["item"] = item.TemplateModel(),
            ["tags"] = vocabulary.Tags,
            ["tags_json"] = vocabulary.Json,
        }, Identity(DomainName(item.Domain), item.Identity, vocabulary.Json), 0, settings.Prompts.ItemTagsTemperature, jsonSchema, text => AnswerValidators.TagScores(text, vocabulary.Index), ct);
    }

    private List<string> Examples(IReadOnlyList<ItemText> domainItems) =>
        domainItems.Where(i => i.Title.Length > 0).Take(settings.TagPromptExamples).Select(i => i.Title).ToList();

    /// <summary>An unambiguous text of the values a prompt is rendered from (length-prefixed, so no two lists collide).</summary>
    private static string Identity(params object[] parts) => CallKey.Of(parts.Select(p => Convert.ToString(p, CultureInfo.InvariantCulture) ?? "").ToArray());

    /// <summary>
    /// One answer, from the cache or the model. The cache key of the first attempt hashes provider, model, template name
    /// and version (the hash of its text), response format, temperature, sample index and the identity of every value
    /// the template is rendered from: the rendered prompt is a function of exactly these, so a hit needs no rendering
    /// (which keeps a fully cached rerun fast). A regeneration's key chains the previous key with the rejected answer
    /// and the correction sent.
    /// </summary>
    private async Task<Answer<T>> AskAsync<T>(string task, string subject, string template, Func<object> templateModel, string modelIdentity,
        int sample, double temperature, JsonElement responseSchema, Func<string, Answer<T>> validate, CancellationToken ct)
    {
        var (templateName, templateVersion) = templates.Identity(template);
        List<ChatMessage>? messages = null;
        var key = CallKey.Of(provider, model, templateName, templateVersion, settings.Format.ToString(),
            temperature.ToString("R", CultureInfo.InvariantCulture), sample.ToString(CultureInfo.InvariantCulture), modelIdentity);
        var corrections = new List<(string Rejected, string Correction)>();
        string lastError = "";
        var cache = await calls.GetAsync(ct);
        for (int attempt = 0; attempt <= settings.MaxRegenerations; attempt++)
        {
            string text;
            if (cache.TryGet(key, out var cached))
            {
                counters.CacheHit(cached.TokensIn, cached.TokensOut);
                text = cached.Response;
            }
            else
            {
                if (messages is null)
                {
                    messages = [new ChatMessage(ChatRole.User, templates.Render(template, templateModel()))];
                    foreach (var (rejected, sent) in corrections)
                    {
                        messages.Add(new ChatMessage(ChatRole.Assistant, rejected));
                        messages.Add(new ChatMessage(ChatRole.User, sent));
                    }
                }
                var options = new ChatOptions
                {
                    Temperature = (float)temperature,
                    Seed = settings.Seed + sample,
                    ResponseFormat = settings.Format switch
                    {
                        ResponseFormatMode.JsonSchema => ChatResponseFormat.ForJsonSchema(responseSchema, task),
                        ResponseFormatMode.Json => ChatResponseFormat.Json,
                        _ => null,
                    },
                };
                if (plan is not null)
                {
                    // Estimate or batch mode: set the call aside; a batch job's answer comes back through the cache.
                    if (plan.GivenUp(key) is { } error) throw new LlmCallException($"{task} for {subject}: {error}", new InvalidOperationException(error));
                    plan.Add(new PlannedCall(key, task, subject, sample, attempt, $"{templateName}@{templateVersion}", [.. messages], options));
                    return Answer<T>.Deferred();
                }
                var clock = Stopwatch.StartNew();
                ChatResponse response;
                try { response = await connection.Client.GetResponseAsync(messages, options, ct); }
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
                text = response.Text ?? "";
                long tin = response.Usage?.InputTokenCount ?? 0, tout = response.Usage?.OutputTokenCount ?? 0; // counted by the middleware too
                cache.Add(new CachedCall
                {
                    Key = key, Task = task, Subject = subject, Sample = sample, Attempt = attempt, Provider = provider, Model = model,
                    Template = $"{templateName}@{templateVersion}", Response = text, TokensIn = tin, TokensOut = tout,
                    LatencyMs = clock.Elapsed.TotalMilliseconds, CreatedUtc = DateTime.UtcNow,
                });
            }
            var answer = validate(text);
            if (answer.Ok) return answer;
            lastError = answer.Error!;
            if (attempt == settings.MaxRegenerations) break;
            counters.Regeneration();
            var correction = $"Your answer does not follow the instructions: {lastError}. Answer again with only the JSON, following every rule.";
            corrections.Add((text, correction));
            messages?.Add(new ChatMessage(ChatRole.Assistant, text));
            messages?.Add(new ChatMessage(ChatRole.User, correction));
            key = CallKey.Of(key, text, correction);
        }
        counters.InvalidAnswer();
        return Answer<T>.Failure(lastError);
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
