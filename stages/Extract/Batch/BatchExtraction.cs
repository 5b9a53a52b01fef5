using CrossDomain.Engine.Stages;
using CrossDomain.Providers.Batch;
using CrossDomain.Providers.Caching;

namespace CrossDomain.Stages.Extract.Batch;

/// <summary>
/// The extract stage in batch mode (<c>llm.mode: batch</c>). Each round collects finished jobs into the per-call
/// cache, walks the extraction with the calls still missing set aside, and sends those as new jobs. The schema and
/// the tag vocabulary come first (item prompts contain them), so a fresh extraction takes two or three rounds, plus
/// one per regeneration of a non-conforming answer. A run waits at most <c>batch_wait_minutes</c>, then returns
/// with <see cref="StageWaitingException"/>; the next run picks up from the journal.
/// </summary>
internal static class BatchExtraction
{
    public static async Task<ExtractionRun> RunAsync(StageContext ctx, ExtractParams p, ResolvedPromptSettings prompts, ISemanticsSource source, List<ItemText> items,
        List<string> domains, ExtractReport report, ExtractionCounters counters, CancellationTokenSource abort, ResultMemo? memo,
        CallPlan plan, CallCache cache, CancellationToken ct)
    {
        var journal = BatchJournal.Of(cache.Directory);
        using var api = new OpenAIBatchApi(p.Llm.ToOptions());
        var jobs = new BatchJobs(api, journal, cache, p.Llm.Provider, p.Llm.Model, ctx.Progress);
        var clock = TimeProvider.System;
        var until = clock.GetUtcNow() + TimeSpan.FromMinutes(p.Llm.BatchWaitMinutes);
        var limits = new BatchLimits(p.Llm.BatchMaxRequests, (long)(p.Llm.BatchMaxMb * 1024 * 1024));
        try
        {
            while (true)
            {
                await jobs.AdvanceAsync(ct);
                plan.Clear();
                foreach (var (key, error) in journal.GivenUp(p.Llm.BatchMaxTries)) plan.GiveUp(key, error);
                counters.Reset();
                var run = new ExtractionRun(p, prompts, source, items, domains, ctx, report, abort, memo, plan);
                await run.ExecuteAsync();
                if (plan.Count == 0)
                {
                    // Every answer is in the cache: the run ends as a streamed one would. Calls given up on are its
                    // failed calls; their tries are forgotten so that the next run sends them again.
                    report.BatchFailedCalls = plan.FailedCalls.Count;
                    journal.Forget(plan.FailedCalls);
                    return run;
                }
                var sent = await jobs.SubmitAsync(plan.Calls, limits, ct);
                if (sent > 0) ctx.Progress.Info($"{sent:N0} call(s) sent as batch jobs; {plan.Count - sent:N0} already in flight");
                if (clock.GetUtcNow() >= until) throw new StageWaitingException($"{jobs.Summary()}; run the stage again to collect them");
                await jobs.WaitForAnyAsync(TimeSpan.FromSeconds(p.Llm.BatchPollSeconds), until, clock, ct);
            }
        }
        finally
        {
            report.BatchAnswers += jobs.Answered;
            report.BatchTokensIn += jobs.TokensIn;
            report.BatchTokensOut += jobs.TokensOut;
            report.BatchRequestsFailed += jobs.Failed;
            report.BatchJobs = journal.Submissions.Select(s => s.JobId ?? s.Id).ToList();
        }
    }

    /// <summary>The open jobs of a call cache, for <c>status</c>; null when none is open.</summary>
    public static string? Waiting(string cacheDir)
    {
        var journal = BatchJournal.Of(cacheDir);
        return journal.Open.Any() ? BatchJobs.Describe(journal) : null;
    }
}
