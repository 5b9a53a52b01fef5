using System.Diagnostics;
using System.Text.Json;
using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Stages;
using CrossDomain.Providers.Caching;
using CrossDomain.Providers.Chat;
using CrossDomain.Providers.Tokens;
using CrossDomain.Stages.Extract.Batch;
using CrossDomain.Stages.Ingest;
using CrossDomain.Stages.Sequences;
using Polly.CircuitBreaker;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// extract: item metadata → LLM-derived, domain-agnostic semantics shared by both domains:
/// SemaCDR's schema (K categories with subcategories), per-item labels voted over N samples of T_rec with a
/// semantic summary, the enriched inner-domain description; TEMA-LLM's shared tag vocabulary (Algorithm 1) and
/// per-item weighted tags (hybrid top-R + θ selection). Every LLM answer goes through the durable per-call cache.
/// </summary>
public sealed class ExtractStage : StageKind<ExtractParams>
{
    public const string OfflineNotice =
        "no LLM configured: using the offline extractor (a deterministic keyword tagger, not an LLM). " +
        "For LLM semantics set params.llm.provider to ollama, openai or azure_openai with model and endpoint (docs/llm-providers.md).";

    public override string Name => "extract";
    public override int Version => 2;
    public override string Description => "LLM semantics: schema induction, voted item labels and summaries, enriched descriptions, tag vocabulary and item tags.";

    public override string? Waiting(ExtractParams p, string artifactsRoot) =>
        p.Llm.IsNetwork ? BatchExtraction.Waiting(Path.Combine(artifactsRoot, p.CacheDir)) : null;

    /// <summary>Cancels the open batch jobs of this stage's call cache; their finished answers are collected by the next run.</summary>
    public static async Task<int> CancelBatchesAsync(ExtractParams p, string artifactsRoot, CancellationToken ct)
    {
        if (!p.Llm.IsNetwork) return 0;
        var journal = BatchJournal.Of(Path.Combine(artifactsRoot, p.CacheDir));
        if (!journal.Open.Any()) return 0;
        using var api = new Providers.Batch.OpenAIBatchApi(p.Llm.ToOptions());
        return await BatchJobs.CancelAsync(api, journal, ct);
    }

    /// <summary>Every recorded batch job of this stage's call cache with its last known status, or that there is none.</summary>
    public static string BatchJobsText(ExtractParams p, string artifactsRoot)
    {
        var journal = p.Llm.IsNetwork ? BatchJournal.Of(Path.Combine(artifactsRoot, p.CacheDir)) : null;
        return journal is not { Submissions.Count: > 0 } ? "no batch jobs" : string.Join("\n  ", [BatchJobs.Describe(journal),
            .. journal.Submissions.Select(s => $"{s.JobId ?? "(not created)"} {s.Status}{(s.Collected ? ", collected" : "")}: {s.Requests:N0} requests, {s.Answered:N0} answered, {s.Failed:N0} failed ({s.Id})")]);
    }

    public override IReadOnlyList<string> RequiredInputs(ExtractParams p) => p.OnlyIndexedItems ? ["items", "item_index"] : ["items"];

    public override IReadOnlyList<OutputSpec> Outputs(ExtractParams p) =>
    [
        new("schema", "schema.parquet"),
        new("item_semantics", "item_semantics.parquet"),
        new("item_labels", "item_labels.parquet"),
        new("tag_vocabulary", "tag_vocabulary.parquet"),
        new("item_tags", "item_tags.parquet"),
        new("report", "report.json", RunRecord: true), // calls made, cache hits and timings of this run
    ];

    public override async Task RunAsync(StageContext ctx, ExtractParams p, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var batch = p.Llm.Mode == LlmMode.Batch ? new CallPlan(continuePastUnknowns: false) : null;
        var x = await OpenAsync(ctx, p, batch, clock, ct);
        var report = x.Report;
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ExtractionRun? run = null;
        try
        {
            if (batch is null)
            {
                run = new ExtractionRun(p, x.Prompts, x.Source, x.Items, x.Domains, ctx, report, abort, x.Memo);
                await run.ExecuteAsync();
            }
            else run = await BatchExtraction.RunAsync(ctx, p, x.Prompts, x.Source, x.Items, x.Domains, report, x.Counters, abort, x.Memo, batch,
                await x.Calls!.GetAsync(ct), ct);
            report.WallSeconds = clock.Elapsed.TotalSeconds;
            FillCounters(report, x.Counters, x.Connection, x.Calls?.Opened, p.Llm.Price);
            if (x.Calls?.Opened is { } opened)
            {
                ctx.Progress.Verbose($"LLM cache {opened.Directory}: {opened.Count:N0} answers");
            }
            CheckFailures(p, report, run);
            await WriteAsync(ctx, p, run, report, x.Synthetic, ct);
            if (x.Memo is not null) await x.Memo.SaveAsync(ct);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new StageException($"the LLM at {p.Llm.Endpoint} stopped the stage: {run?.StopReason ?? "repeated failures (circuit open)"}. " +
                "Answers received so far are cached; rerun to resume.");
        }
        finally
        {
            await x.CloseAsync();
        }
    }

    /// <summary>
    /// The calls a run would make, their tokens and cost, found by walking the same extraction with every call the
    /// caches do not answer set aside (<see cref="CallPlan"/>) instead of sent. Nothing is sent or written.
    /// </summary>
    public override async Task<IReadOnlyList<string>?> EstimateAsync(StageContext ctx, ExtractParams p, CancellationToken ct) =>
        p.Llm.IsNetwork ? (await EstimateCallsAsync(ctx, p, ct)).Lines()
            : [$"no LLM calls: the {(p.Llm.Provider == LlmParams.File ? "file provider imports answers" : "offline extractor is not an LLM")}"];

    /// <summary>
    /// The calls a run would make, their tokens and cost, found by walking the same extraction with every call the
    /// caches do not answer set aside (<see cref="CallPlan"/>) instead of sent. Nothing is sent or written.
    /// </summary>
    public static async Task<ExtractEstimate> EstimateCallsAsync(StageContext ctx, ExtractParams p, CancellationToken ct)
    {
        var plan = new CallPlan(continuePastUnknowns: true);
        var clock = Stopwatch.StartNew();
        var x = await OpenAsync(ctx, p, plan, clock, ct);
        try
        {
            using var abort = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await new ExtractionRun(p, x.Prompts, x.Source, x.Items, x.Domains, ctx, x.Report, abort, x.Memo, plan).ExecuteAsync();
            return ExtractEstimate.From(x.Source.Description, x.Items.Count, x.Report.ItemsFromMemo, x.Counters.CacheHits, plan,
                PromptTokenCounter.For(p.Llm.Provider, p.Llm.Model), x.Calls?.Opened, p.Llm.Price);
        }
        finally
        {
            await x.CloseAsync(compact: false);
        }
    }

    /// <summary>What a run or an estimate works with: the items, the semantics source and the caches.</summary>
    private sealed record Opened(List<ItemText> Items, bool Synthetic, List<string> Domains, ISemanticsSource Source, LazyCallCache? Calls,
        ResultMemo? Memo, ChatConnection? Connection, ExtractReport Report, ExtractionCounters Counters, ResolvedPromptSettings Prompts)
    {
        public async Task CloseAsync(bool compact = true)
        {
            Source.Dispose();
            if (Calls?.Opened is { } cache)
            {
                if (compact) await cache.CompactAsync(CancellationToken.None);
                cache.Dispose();
            }
        }
    }

    private static async Task<Opened> OpenAsync(StageContext ctx, ExtractParams p, CallPlan? plan, Stopwatch clock, CancellationToken ct)
    {
        var cacheDir = Path.Combine(ctx.ArtifactsRoot, p.CacheDir);
        var network = p.Llm.IsNetwork;
        // The result memo (network providers only) loads while the items are read; the call cache only when needed.
        var memoLoad = network ? Task.Run(() => ResultMemo.OpenAsync(cacheDir, ct), ct) : null;
        var itemsLoad = Task.Run(() => LoadItemsAsync(ctx, p, ct), ct);
        // Templates and the chat client are set up meanwhile (no network traffic: clients connect on first call).
        PromptTemplates? templates = null;
        ChatConnection? connection = null;
        if (network)
        {
            templates = new PromptTemplates();
            foreach (var t in new[] { p.SchemaPrompt, p.SemanticsPrompt, p.DescriptionPrompt, p.TagVocabularyPrompt, p.ItemTagsPrompt })
                templates.Load(ctx.Resolve(t));
            try
            {
                connection = p.Llm.Endpoints is { Count: > 0 }
                    ? ChatClientFactory.CreatePool(p.Llm.PoolOptions(), LlmParams.EndpointCooldown)
                    : ChatClientFactory.Create(p.Llm.ToOptions());
            }
            catch (InvalidOperationException e) { throw new StageException($"params.llm: {e.Message}"); }
        }
        List<ItemText> items;
        bool synthetic;
        try { (items, synthetic) = await itemsLoad; }
        catch
        {
            connection?.Dispose();
            throw;
        }
        ctx.Progress.Verbose($"{items.Count:N0} items read at {clock.Elapsed.TotalSeconds:F2} s");
        var domains = items.Select(i => i.Domain).Distinct().ToList();
        // Counts and temperatures: params, else each template's front-matter (read only where templates are: LLM providers).
        var prompts = ResolvedPromptSettings.From(p, path => templates?.Settings(ctx.Resolve(path)) ?? PromptSettings.None);
        var domainNames = domains.ToDictionary(d => d, d => p.DomainNames.GetValueOrDefault(d, d));
        var counters = new ExtractionCounters();
        var report = new ExtractReport { Synthetic = synthetic, Items = items.Count };
        foreach (var g in items.GroupBy(i => i.Domain).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            report.ItemsByDomain[g.Key] = g.Count();
            report.Metadata[g.Key] = MetadataCoverage.Of(g.ToList());
        }

        LazyCallCache? calls = null;
        ResultMemo? memo = memoLoad is null ? null : await memoLoad;
        ISemanticsSource source;
        switch (p.Llm.Provider)
        {
            case LlmParams.Offline:
                source = new OfflineSemanticsSource(items);
                report.Notice = OfflineNotice;
                ctx.Progress.Warn(OfflineNotice);
                foreach (var (domain, m) in report.Metadata)
                    if (m.CategoryBelowRoot == 0 && m.Brand == 0 && m.Description == 0)
                        ctx.Progress.Warn($"domain {domain}: no item has a category below the root, a brand or a description, so the offline extractor's " +
                                          $"labels and tags come from titles alone ({m.Title:N0} of {m.Items:N0} items have one); the rest get each category's default");
                break;
            case LlmParams.File:
                source = new FileSemanticsSource(ctx.Resolve(p.Llm.ResponsesFile!.Value));
                report.Notice = "answers imported from a file; no LLM was called";
                break;
            default:
                calls = new LazyCallCache(cacheDir);
                var settings = new LlmTaskSettings(ctx.Resolve(p.SchemaPrompt), ctx.Resolve(p.SemanticsPrompt), ctx.Resolve(p.DescriptionPrompt),
                    ctx.Resolve(p.TagVocabularyPrompt), ctx.Resolve(p.ItemTagsPrompt), p.Categories, p.LabelsPerCategory, p.TagsPerDomain,
                    p.TagPromptExamples, prompts, p.MaxRegenerations, p.Llm.ResponseFormat, p.Llm.Seed, domainNames);
                source = new LlmSemanticsSource(p.Llm.Provider, p.Llm.Model, connection!, calls, templates!, settings, counters, plan);
                if (plan is null)
                    ctx.Progress.Info($"extracting with {source.Description} at {p.Llm.Endpoint}" +
                                      (p.Llm.EndpointCount > 1 ? $" and {p.Llm.EndpointCount - 1} more endpoint(s)" : ""));
                break;
        }
        report.Extractor = source.Description;
        report.IsLlm = source.IsLlm;
        return new Opened(items, synthetic, domains, source, calls, memo, connection, report, counters, prompts);
    }

    private static void CheckFailures(ExtractParams p, ExtractReport report, ExtractionRun run)
    {
        if (report.FailedCalls > 0)
            throw new StageException($"{report.FailedCalls} LLM call(s) failed after every retry; the {report.Calls} answered ones are cached, " +
                $"so a rerun repeats only the failed ones. First failure: {report.Failures.First().Error}");
        var invalid = report.ItemsInvalid / (double)Math.Max(1, report.Items);
        if (invalid > p.MaxInvalidFraction)
            throw new StageException($"{report.ItemsInvalid} of {report.Items} items ({invalid:P1}) have no conforming answer after " +
                $"{p.MaxRegenerations} regenerations (max_invalid_fraction {p.MaxInvalidFraction}). First: {report.Failures.FirstOrDefault()?.Error}");
    }

    private static void FillCounters(ExtractReport r, ExtractionCounters c, ChatConnection? connection, CallCache? cache, LlmPrice? price)
    {
        r.CacheHits = c.CacheHits;
        r.Regenerations = c.Regenerations;
        r.InvalidAnswers = c.Invalid;
        r.CachedTokensIn = c.CachedTokensIn;
        r.CachedTokensOut = c.CachedTokensOut;
        r.CacheEntries = cache?.Count ?? 0;
        if (connection is null) return;
        r.Calls = connection.Usage.Calls;
        r.FailedCalls = connection.Usage.Failed + r.BatchFailedCalls;
        r.TokensIn = connection.Usage.TokensIn;
        r.TokensOut = connection.Usage.TokensOut;
        r.CallsPerSecond = r.WallSeconds > 0 ? r.Calls / r.WallSeconds : 0;
        r.Attempts = connection.Counters.Attempts;
        r.Retries = connection.Counters.Retries;
        r.Timeouts = connection.Counters.Timeouts;
        r.Throttled = connection.Counters.Throttled;
        r.ServerErrors = connection.Counters.ServerErrors;
        if (price is not null)
        {
            // What this run's calls cost, from the tokens the API reported (calls without usage count as zero).
            r.Cost = Math.Round(price.Cost(r.TokensIn, r.TokensOut, batch: false) + price.Cost(r.BatchTokensIn, r.BatchTokensOut, batch: true), 6);
            r.Currency = price.Currency;
        }
        r.Endpoints = connection.Pool?.Members.Select(m => new EndpointReport
        {
            Endpoint = m.Name, Weight = m.Weight, Calls = m.Calls, Failures = m.Failures, TakenOut = m.TakenOut, FailedHealthChecks = m.FailedHealthChecks,
            MeanSeconds = m.Calls == 0 ? 0 : m.Seconds / m.Calls,
        }).ToList() ?? [];
    }

    private static async Task<(List<ItemText> Items, bool Synthetic)> LoadItemsAsync(StageContext ctx, ExtractParams p, CancellationToken ct)
    {
        var path = ctx.Input("items");
        var (rows, synthetic) = await ItemTextColumns.ReadAsync(path, ct);
        if (p.OnlyIndexedItems)
        {
            var index = await ParquetArtifact.ReadAsync<ItemIndexRow>(ctx.Input("item_index"), ct);
            var wanted = index.Select(i => (i.Domain, i.Item)).ToHashSet();
            rows = rows.Where(r => wanted.Contains((r.Domain, r.Item))).ToList();
        }
        if (rows.Count == 0) throw new StageException($"{path}: no items to extract semantics for");
        var items = rows.Select(r => ItemText.From(r, p.MaxDescriptionChars)).ToList();
        return (items, synthetic);
    }

    private static async Task WriteAsync(StageContext ctx, ExtractParams p, ExtractionRun run, ExtractReport report, bool synthetic, CancellationToken ct)
    {
        var writeClock = Stopwatch.StartNew();
        var meta = ctx.ArtifactMetadata.ToDictionary();
        meta["crossdomain.extractor"] = report.Extractor;
        meta["crossdomain.is_llm"] = report.IsLlm ? "true" : "false";
        if (synthetic) meta["crossdomain.synthetic"] = "true";
        // Independent files: written in parallel.
        await Task.WhenAll(
            Task.Run(() => ItemLabelsTable.WriteAsync(run.LabelRows, ctx.Output("item_labels"), meta, ct), ct),
            Task.Run(() => ParquetArtifact.WriteAsync(run.SemanticsRows, ctx.Output("item_semantics"), meta, ct), ct),
            Task.Run(() => ParquetArtifact.WriteAsync(run.ItemTagRows, ctx.Output("item_tags"), meta, ct), ct),
            Task.Run(() => ParquetArtifact.WriteAsync(run.SchemaRows, ctx.Output("schema"), meta, ct), ct),
            Task.Run(() => ParquetArtifact.WriteAsync(run.TagRows, ctx.Output("tag_vocabulary"), meta, ct), ct));
        await File.WriteAllTextAsync(ctx.Output("report"), JsonSerializer.Serialize(report, ReportJson.Options), ct);
        ctx.Progress.Verbose($"outputs written at {report.WallSeconds:F2} + {writeClock.Elapsed.TotalSeconds:F2} s");
        ctx.Progress.Info($"{report.Items:N0} items ({report.ItemsOk:N0} ok, {report.ItemsInvalid} invalid) with {report.Extractor}: " +
            $"{report.Categories} categories, {report.TagVocabulary} tags; {report.Calls:N0} calls, {report.CacheHits:N0} cache hits, " +
            $"{report.Retries} retries, {report.Regenerations} regenerations in {report.WallSeconds:F1} s");
    }

    internal static bool IsCircuitOpen(Exception e) => LlmSemanticsSource.Inner<BrokenCircuitException>(e) is not null;
}
