using CrossDomain.Providers.Resilience;
using System.Collections.Concurrent;
using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Extract;

/// <summary>One execution of the extract stage: schema, tag vocabulary, then every item; votes and filters; rows.</summary>
internal sealed class ExtractionRun(ExtractParams p, ResolvedPromptSettings prompts, ISemanticsSource source, List<ItemText> items, List<string> domains,
    StageContext ctx, ExtractReport report, CancellationTokenSource abort, ResultMemo? memo, CallPlan? plan = null)
{
    private string? _memoContext;
    private int _itemsFromMemo;
    private const int ReportedFailures = 20;
    private readonly ConcurrentQueue<ExtractFailure> _failures = new();
    private SemanticSchema _schema = null!;
    private TagVocabulary _vocabulary = null!;

    public List<SchemaRow> SchemaRows { get; } = [];
    public List<ItemSemanticsRow> SemanticsRows { get; } = [];
    public List<ItemLabelRow> LabelRows { get; } = [];
    public List<TagRow> TagRows { get; } = [];
    public List<ItemTagRow> ItemTagRows { get; } = [];

    private sealed class ItemResult
    {
        /// <summary>The item_semantics row; a <see cref="MemoRow"/> so that the memo stores it as it is.</summary>
        public MemoRow Row = null!;
        public int[][]? Labels;
        public int[][]? Votes;
        public List<(int Tag, int Score, double Weight)> Tags = [];
    }

    // Twice the HTTP concurrency limit: while some workers render prompts, parse answers and write the cache, others'
    // requests wait at the limiter, so C requests are always in flight.
    // Each endpoint of a pool takes concurrency calls at once: enough workers to keep all of them busy.
    private int Parallelism => source.IsLlm ? 2 * p.Llm.Concurrency * p.Llm.EndpointCount : Environment.ProcessorCount;

    public async Task ExecuteAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        report.VocabulariesFromMemo = 0; // batch mode runs the extraction once per round over one report
        _schema = await SchemaAsync();
        report.SchemaOrigin = _schema.Origin;
        report.Categories = _schema.Categories.Count;
        ctx.Progress.Verbose($"schema ready ({_schema.Categories.Count} categories) at {clock.Elapsed.TotalSeconds:F2} s");
        _vocabulary = await VocabularyAsync();
        ctx.Progress.Verbose($"tag vocabulary ready ({_vocabulary.Tags.Count} tags) at {clock.Elapsed.TotalSeconds:F2} s");

        if (memo is not null && source.ResultContext(_schema, _vocabulary) is { } context)
            _memoContext = Providers.Caching.CallKey.Of("extract item result v1", context, Samples.ToString(), p.TagSelection.ToString(),
                p.TagTopR.ToString(), p.TagThreshold.ToString(), p.MaxTagsPerItem.ToString());
        if (plan is { ContinuePastUnknowns: false } && (SchemaDeferred || VocabularyDeferred))
        {
            // Batch mode: the item prompts hold the schema and the vocabulary, which wait on the calls just set aside.
            ctx.Progress.Info($"the {(SchemaDeferred ? "schema" : "tag vocabulary")} waits on {plan.Count} call(s); item calls follow once they are answered");
            return;
        }
        var results = new ItemResult[items.Count];
        using (var progress = ctx.Progress.Start("items", items.Count))
        {
            var progressLock = new object();
            await Parallel.ForEachAsync(Enumerable.Range(0, items.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = abort.Token },
                async (i, token) =>
                {
                    results[i] = await ItemAsync(items[i], token);
                    lock (progressLock) progress.Increment(1);
                });
        }
        report.ItemsFromMemo = _itemsFromMemo;
        ctx.Progress.Verbose($"items done at {clock.Elapsed.TotalSeconds:F2} s ({_itemsFromMemo:N0} from the result memo)");
        if (plan is { Count: > 0 }) return; // answers are missing: nothing to aggregate yet
        Aggregate(results);
        ctx.Progress.Verbose($"aggregated at {clock.Elapsed.TotalSeconds:F2} s");
        report.Failures = _failures.Take(ReportedFailures).ToList();
    }

    /// <summary>Schema induction set its calls aside (<see cref="CallPlan"/>): the schema is not known in this run.</summary>
    public bool SchemaDeferred { get; private set; }

    /// <summary>A tag-list query was set aside: the vocabulary is not known in this run.</summary>
    public bool VocabularyDeferred { get; private set; }

    /// <summary>Why the run stopped before its end (the circuit opened, the credentials were refused); null while it goes on.</summary>
    public string? StopReason { get; private set; }

    /// <summary>The first failure recorded, as it happened (the report's list is filled only at the end).</summary>
    public string? FirstFailure => _failures.TryPeek(out var f) ? $"{f.Task} {f.Item}: {f.Error}".Trim() : null;

    private void Fail(string item, string task, string error, Exception? e = null)
    {
        _failures.Enqueue(new ExtractFailure(item, task, error));
        if (e is null) return;
        // Stop, keeping what is cached: the provider is down, or refuses every call alike.
        if (LlmSemanticsSource.Inner<CredentialsRejectedException>(e) is { } rejected) { StopReason ??= rejected.Message; abort.Cancel(); }
        else if (ExtractStage.IsCircuitOpen(e)) { StopReason ??= $"the circuit opened after repeated failures; first failure: {FirstFailure ?? error}"; abort.Cancel(); }
    }

    private async Task<SemanticSchema> SchemaAsync()
    {
        if (!string.IsNullOrEmpty(p.SchemaFile?.Value)) return SemanticSchema.Load(ctx.Resolve(p.SchemaFile.Value));
        if (source is FileSemanticsSource file)
        {
            ctx.Progress.Warn("no schema_file: the schema is derived from the labels the responses file uses");
            return file.DerivedSchema();
        }
        if (source is OfflineSemanticsSource)
        {
            var derived = CategoryTreeSchema.Derive(items, p.Categories, p.LabelsPerCategory);
            ctx.Progress.Warn($"no schema_file: the offline extractor uses a schema {CategoryTreeSchema.Origin}, {derived.Categories.Count} categories");
            return derived;
        }
        if (!source.CanInduceSchema) throw new StageException($"{source.Description} cannot induce a schema; set schema_file");
        // R prompts, each with its own seeded sample of items, half from each domain.
        var answers = await Task.WhenAll(Enumerable.Range(0, prompts.SchemaQueries).Select(async q =>
        {
            var rng = new Random(p.Llm.Seed + q);
            var perDomain = Math.Max(1, p.SchemaSampleItems / domains.Count);
            var sample = domains.SelectMany(d => items.Where(i => i.Domain == d && i.Title.Length > 0).OrderBy(_ => rng.Next()).Take(perDomain)).ToList();
            try { return await source.ProposeSchemaAsync(sample, q, abort.Token); }
            catch (LlmCallException e) { Fail("", "schema", e.Message, e); return Answer<SchemaProposal>.Failure(e.Message); }
        }));
        abort.Token.ThrowIfCancellationRequested();
        if (answers.Any(a => a.IsDeferred))
        {
            // Not known until those calls are answered: the estimate counts item prompts against a stand-in of the
            // largest shape voting can keep (K categories of labels_per_category labels); the number of calls is the same.
            SchemaDeferred = true;
            plan!.StandIns.Enqueue($"the schema is not known until its {prompts.SchemaQueries} induction calls are answered: item prompts are counted " +
                                   $"with a stand-in of {p.Categories} categories of {p.LabelsPerCategory} labels");
            return new SemanticSchema(Enumerable.Range(1, p.Categories).Select(c => new SchemaCategory($"category {c}",
                Enumerable.Range(1, p.LabelsPerCategory).Select(l => $"category {c} label {l}").ToList())).ToList(), "a stand-in for the estimate");
        }
        var valid = answers.Where(a => a.Ok).Select(a => a.Value!).ToList();
        if (valid.Count == 0)
            throw new StageException($"schema induction: none of the {prompts.SchemaQueries} answers conformed; last problem: {answers.Last().Error}");
        var schema = Voting.Schema(valid, p.Categories, p.LabelsPerCategory, p.SchemaMinAgreement);
        if (schema.Categories.Count == 0)
            throw new StageException($"schema induction: no category reached schema_min_agreement {p.SchemaMinAgreement} over {valid.Count} answers");
        if (schema.Categories.Count < p.Categories)
            ctx.Progress.Warn($"schema induction kept {schema.Categories.Count} of the {p.Categories} categories asked for (the others lacked agreement)");
        return schema;
    }

    private async Task<TagVocabulary> VocabularyAsync()
    {
        var queries = source.IsDeterministic ? 1 : prompts.TagQueries;
        var merged = new List<(string Tag, List<string> Domains, int Votes, int Queries, double ScoreSum)>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var domain in domains)
        {
            var domainItems = items.Where(i => i.Domain == domain).ToList();
            var memoKey = memo is not null && source.VocabularyContext(domain, domainItems) is { } vc
                ? Providers.Caching.CallKey.Of("extract tag list v1", vc, queries.ToString(), p.TagMinAgreement.ToString("R")) : null;
            if (memoKey is not null && memo!.TryGetVocabulary(memoKey, out var remembered))
            {
                report.VocabulariesFromMemo++;
                report.TagsByDomain[domain] = remembered.Count;
                foreach (var t in remembered) Merge(t.Tag, t.Votes, t.MeanScore, t.Queries, domain);
                continue;
            }
            var answers = await Task.WhenAll(Enumerable.Range(0, queries).Select(async r =>
            {
                try { return await source.ProposeTagsAsync(domain, domainItems, r, abort.Token); }
                catch (LlmCallException e) { Fail(domain, "tag_vocabulary", e.Message, e); return Answer<List<ScoredTag>>.Failure(e.Message); }
            }));
            abort.Token.ThrowIfCancellationRequested();
            if (answers.Any(a => a.IsDeferred))
            {
                // As many stand-in tags as a domain's list can hold (tags_per_domain), for counting item-tag prompts.
                VocabularyDeferred = true;
                plan!.StandIns.Enqueue($"domain {domain}: the tag vocabulary is not known until its {queries} queries are answered: " +
                                       $"item-tag prompts are counted with {p.TagsPerDomain} stand-in tags for it");
                for (int t = 0; t < p.TagsPerDomain; t++) Merge($"{domain} tag {t + 1}", 1, 1, 1, domain);
                continue;
            }
            var valid = answers.Where(a => a.Ok).Select(a => a.Value!).ToList();
            if (valid.Count == 0)
            {
                ctx.Progress.Warn($"tag vocabulary: no conforming answer for domain {domain} ({answers[0].Error})");
                _failures.Enqueue(new ExtractFailure(domain, "tag_vocabulary", answers[0].Error!));
                report.TagsByDomain[domain] = 0;
                continue;
            }
            var voted = Voting.Tags(valid, p.TagsPerDomain, p.TagMinAgreement);
            report.TagsByDomain[domain] = voted.Count;
            foreach (var (tag, votes, mean) in voted) Merge(tag, votes, mean, valid.Count, domain);
            if (memoKey is not null && valid.Count == answers.Length)
                memo!.AddVocabulary(memoKey, voted.Select(v => new ResultMemo.VotedTag(v.Tag, v.Votes, v.MeanScore, valid.Count)).ToList());
        }

        void Merge(string tag, int votes, double mean, int queriesAnswered, string domain)
        {
            if (index.TryGetValue(tag, out var at))
            {
                var m = merged[at];
                m.Domains.Add(domain);
                merged[at] = (m.Tag, m.Domains, m.Votes + votes, m.Queries + queriesAnswered, m.ScoreSum + mean * votes);
            }
            else
            {
                index[tag] = merged.Count;
                merged.Add((tag, [domain], votes, queriesAnswered, mean * votes));
            }
        }
        for (int t = 0; t < merged.Count; t++)
            TagRows.Add(new TagRow
            {
                TagIdx = t, Tag = merged[t].Tag, Domains = string.Join(",", merged[t].Domains), Votes = merged[t].Votes,
                Queries = merged[t].Queries, MeanScore = Math.Round(merged[t].ScoreSum / merged[t].Votes, 4),
            });
        report.TagVocabulary = merged.Count;
        return new TagVocabulary(merged.Select(m => m.Tag).ToList());
    }

    private int Samples => source.IsDeterministic ? 1 : prompts.Samples;

    private async Task<ItemResult> ItemAsync(ItemText item, CancellationToken token)
    {
        var memoKey = _memoContext is null ? null : ResultMemo.Key(_memoContext, item.Identity);
        if (memoKey is not null && memo!.TryGetItem(memoKey, out var remembered))
        {
            Interlocked.Increment(ref _itemsFromMemo);
            return FromMemo(item, remembered);
        }
        var result = await ComputeItemAsync(item, token);
        if (memoKey is not null && result.Row.Status != "failed" && plan is not { Count: > 0 }) memo!.AddItem(ToMemo(memoKey, result));
        return result;
    }

    private ItemResult FromMemo(ItemText item, MemoRow m)
    {
        m.Item = item.Id;
        m.Domain = item.Domain;
        var result = new ItemResult { Row = m, Tags = ResultMemo.DecodeTags(m.Tags) };
        if (m.Labels is not null) (result.Labels, result.Votes) = ResultMemo.DecodeLabels(m.Labels, _schema.Categories.Count);
        // What the memoised result recorded as failed is reported again, as re-validating would.
        if (m.Status == "invalid") _failures.Enqueue(new ExtractFailure(item.Id, "item_semantics", m.Error ?? ""));
        if (m.DescriptionStatus == "invalid") _failures.Enqueue(new ExtractFailure(item.Id, "item_description", "no conforming description (remembered)"));
        if (m.TagsStatus == "invalid") _failures.Enqueue(new ExtractFailure(item.Id, "item_tags", "no conforming tag scores (remembered)"));
        return result;
    }

    private static MemoRow ToMemo(string key, ItemResult r)
    {
        r.Row.Key = key;
        r.Row.Labels = r.Labels is null ? null : ResultMemo.EncodeLabels(r.Labels, r.Votes!);
        r.Row.Tags = ResultMemo.EncodeTags(r.Tags);
        return r.Row;
    }

    private async Task<ItemResult> ComputeItemAsync(ItemText item, CancellationToken token)
    {
        var samples = Samples;
        var row = new MemoRow { Item = item.Id, Domain = item.Domain, Samples = samples };
        var result = new ItemResult { Row = row };
        try
        {
            var valid = new List<LabelAnswer>();
            string? lastError = null;
            for (int s = 0; s < samples; s++)
            {
                var answer = await source.LabelItemAsync(item, _schema, s, token);
                if (answer.Ok) valid.Add(answer.Value!);
                else lastError = answer.Error;
            }
            row.ValidSamples = valid.Count;
            if (valid.Count > 0)
            {
                var (labels, votes, from) = Voting.Labels(valid, _schema.Categories.Count);
                result.Labels = labels;
                result.Votes = votes;
                row.SummarySample = from;
                row.Summary = valid[from].Summary;
                row.Status = "ok";
            }
            else
            {
                row.Status = "invalid";
                row.Error = lastError;
                Fail(item.Id, "item_semantics", lastError!);
            }

            var description = await source.DescribeItemAsync(item, token);
            row.Description = description.Value;
            row.DescriptionStatus = description.Ok ? "ok" : "invalid";
            if (!description.Ok) Fail(item.Id, "item_description", description.Error!);

            if (_vocabulary.Tags.Count > 0)
            {
                var scores = await source.ScoreTagsAsync(item, _vocabulary, token);
                row.TagsStatus = scores.Ok ? "ok" : "invalid";
                if (scores.Ok) result.Tags = Voting.SelectTags(scores.Value!, p.TagSelection, p.TagTopR, p.TagThreshold, p.MaxTagsPerItem);
                else Fail(item.Id, "item_tags", scores.Error!);
            }
            else row.TagsStatus = "no_vocabulary";
        }
        catch (LlmCallException e)
        {
            row.Status = "failed";
            row.Error = e.Message;
            Fail(item.Id, "call", e.Message, e);
        }
        return result;
    }

    /// <summary>
    /// How many items fell back to each category's default label (no cue, or no answer, matched), and how many to the
    /// default of every category. When nearly all did, the schema was written for other items: say so loudly.
    /// </summary>
    // The shipped Food-Kitchen schema leaves 74 % of the real Food-Kitchen pairs at their default (titles only, many
    // missing); a schema for other domains leaves nearly all of them there.
    private const double PoorFitFraction = 0.85;

    private void CountDefaults(ItemResult[] results, IReadOnlyList<SchemaCategory> cats)
    {
        var defaults = cats.Select(c => c.DefaultLabel is { } d ? c.Labels.ToList().IndexOf(d) : -1).ToArray();
        if (defaults.All(d => d < 0)) return;
        bool OnlyDefault(ItemResult r, int c) => defaults[c] >= 0 && r.Labels![c] is [var l] && l == defaults[c];
        var labelled = results.Where(r => r.Labels is not null).ToList();
        for (int c = 0; c < cats.Count; c++)
            if (defaults[c] >= 0)
            {
                report.DefaultLabelItems[cats[c].Name] = labelled.Count(r => OnlyDefault(r, c));
                report.DefaultLabelItemsByDomain[cats[c].Name] = labelled.GroupBy(r => r.Row.Domain).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Count(r => OnlyDefault(r, c)));
            }
        report.ItemsWithOnlyDefaults = labelled.Count(r => Enumerable.Range(0, cats.Count).All(c => defaults[c] < 0 || OnlyDefault(r, c)));
        var pairs = labelled.Count * defaults.Count(d => d >= 0);
        report.DefaultLabelFraction = pairs == 0 ? 0 : Math.Round(report.DefaultLabelItems.Values.Sum() / (double)pairs, 4);
        if (pairs > 0 && report.DefaultLabelFraction >= PoorFitFraction)
            ctx.Progress.Warn($"the schema ({_schema.Origin}) fits these items poorly: {report.DefaultLabelFraction:P0} of the (item, category) pairs got the " +
                "category's default label, so the labels say little. It was probably written for another domain pair: leave schema_file " +
                "empty to derive one from the category trees, write one for these domains, or configure an LLM.");
    }

    /// <summary>Label frequencies, outlier filtering by frequency (SemaCDR appendix C), and the output rows.</summary>
    private void Aggregate(ItemResult[] results)
    {
        var cats = _schema.Categories;
        var counts = cats.Select(c => new int[c.Labels.Count]).ToArray();
        foreach (var cat in cats) report.LabelFrequencies[cat.Name] = cat.Labels.ToDictionary(l => l, _ => domains.ToDictionary(d => d, _ => 0));
        foreach (var r in results)
        {
            if (r.Labels is null) continue;
            for (int c = 0; c < cats.Count; c++)
                foreach (var l in r.Labels[c])
                {
                    counts[c][l]++;
                    report.LabelFrequencies[cats[c].Name][cats[c].Labels[l]][r.Row.Domain]++;
                }
        }
        int ok = results.Count(r => r.Labels is not null);
        CountDefaults(results, cats);
        var minItems = p.OutlierMinFraction <= 0 ? 0 : Voting.Needed(ok, p.OutlierMinFraction);
        report.OutlierMinItems = minItems;
        bool IsOutlier(int c, int l) => counts[c][l] > 0 && counts[c][l] < minItems;
        for (int c = 0; c < cats.Count; c++)
            for (int l = 0; l < cats[c].Labels.Count; l++)
            {
                if (IsOutlier(c, l)) report.OutlierLabels.Add(new OutlierLabel(cats[c].Name, cats[c].Labels[l], counts[c][l]));
                SchemaRows.Add(new SchemaRow
                {
                    CategoryIdx = c, Category = cats[c].Name, LabelIdx = l, Label = cats[c].Labels[l],
                    IsDefault = cats[c].DefaultLabel == cats[c].Labels[l], CategoryVotes = cats[c].CategoryVotes,
                    LabelVotes = cats[c].Votes is { } v ? v[l] : 0, Items = counts[c][l], Kept = !IsOutlier(c, l),
                });
            }

        foreach (var r in results)
        {
            var row = r.Row;
            SemanticsRows.Add(row);
            switch (row.Status)
            {
                case "ok": report.ItemsOk++; break;
                case "invalid": report.ItemsInvalid++; break;
                default: report.ItemsFailed++; break;
            }
            if (row.DescriptionStatus != "ok") report.DescriptionsMissing++;
            if (row.TagsStatus == "invalid") report.ItemTagsMissing++;
            if (r.Labels is not null)
                for (int c = 0; c < cats.Count; c++)
                {
                    int kept = 0;
                    for (int j = 0; j < r.Labels[c].Length; j++)
                    {
                        var l = r.Labels[c][j];
                        if (IsOutlier(c, l)) continue;
                        kept++;
                        LabelRows.Add(new ItemLabelRow
                        {
                            Item = row.Item, Domain = row.Domain, CategoryIdx = c, Category = cats[c].Name, LabelIdx = l, Label = cats[c].Labels[l],
                            Votes = r.Votes![c][j], Samples = row.ValidSamples,
                        });
                    }
                    if (kept == 0) report.CategoriesEmptiedByOutliers++;
                }
            if (r.Tags.Count == 0 && row.TagsStatus == "ok") report.ItemsWithoutTags++;
            foreach (var (tag, score, weight) in r.Tags)
                ItemTagRows.Add(new ItemTagRow { Item = row.Item, Domain = row.Domain, TagIdx = tag, Tag = _vocabulary.Tags[tag], Score = score, Weight = Math.Round(weight, 6) });
        }
    }
}
