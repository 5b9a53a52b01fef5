using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace CrossDomain.Stages.Extract;

/// <summary>A call the per-call cache does not hold, rendered as it would be sent.</summary>
public sealed record PlannedCall(string Key, string Task, string Subject, int Sample, int Attempt, string Template,
    IReadOnlyList<ChatMessage> Messages, ChatOptions Options);

/// <summary>
/// Calls set aside instead of sent: an estimate counts them and sends nothing; batch mode sends them as batch jobs
/// whose answers land in the per-call cache, so that the next run finds them there. Keyed by the call-cache key, so
/// a call asked twice is planned once.
/// </summary>
public sealed class CallPlan(bool continuePastUnknowns)
{
    /// <summary>The error text of a deferred answer (compared by reference).</summary>
    public static readonly string NotAnsweredYet = "not answered yet (set aside for an estimate or a batch job)";

    private readonly ConcurrentDictionary<string, PlannedCall> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _givenUp = new(StringComparer.Ordinal);

    /// <summary>
    /// True for an estimate: where the schema or vocabulary is not known yet, go on with a stand-in so that the item
    /// calls are counted. False for batch mode: item prompts need the real schema, so stop before them.
    /// </summary>
    public bool ContinuePastUnknowns { get; } = continuePastUnknowns;

    /// <summary>What later steps had to assume because an earlier answer is not known yet (for the estimate's notes).</summary>
    public ConcurrentQueue<string> StandIns { get; } = new();

    public void Add(PlannedCall call) => _calls.TryAdd(call.Key, call);

    public int Count => _calls.Count;

    /// <summary>The planned calls in a stable order (task, subject, key).</summary>
    public IReadOnlyList<PlannedCall> Calls => _calls.Values.OrderBy(c => c.Task, StringComparer.Ordinal)
        .ThenBy(c => c.Subject, StringComparer.Ordinal).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();

    /// <summary>Marks a call that batch jobs failed on too often: asking it again reports this error instead of planning it.</summary>
    public void GiveUp(string key, string error) => _givenUp[key] = error;

    /// <summary>The error of a call given up on, recording that it was asked (it then counts as a failed call).</summary>
    public string? GivenUp(string key)
    {
        if (!_givenUp.TryGetValue(key, out var error)) return null;
        _failedNow.TryAdd(key, 0);
        return error;
    }

    private readonly ConcurrentDictionary<string, byte> _failedNow = new(StringComparer.Ordinal);

    /// <summary>Calls given up on that this walk asked for: its failed calls.</summary>
    public IReadOnlyCollection<string> FailedCalls => _failedNow.Keys.ToList();

    /// <summary>Empties the plan for another walk (batch mode: once per round).</summary>
    public void Clear()
    {
        _calls.Clear();
        _givenUp.Clear();
        _failedNow.Clear();
        StandIns.Clear();
    }
}
