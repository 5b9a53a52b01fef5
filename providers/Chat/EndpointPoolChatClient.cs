using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace CrossDomain.Providers.Chat;

/// <summary>One endpoint of a pool: its client (with its own resilience pipeline), its weight, and what it did.</summary>
public sealed class PoolMember(string name, IChatClient client, double weight, Func<CancellationToken, Task<bool>>? healthCheck = null)
{
    private long _calls, _failures, _ticks, _failedChecks;
    internal readonly SemaphoreSlim Probe = new(1, 1);
    internal bool Verified = true;  // false from a take-out until a health check passes (or, without one, until it answers)
    internal int InFlight;
    internal long DownUntil;       // the pool clock's timestamp; 0 while healthy
    internal int FailuresInARow;   // take-outs since its last answer: each doubles the cool-down

    public string Name { get; } = name;
    public IChatClient Client { get; } = client;
    public double Weight { get; } = weight;
    /// <summary>Calls it answered.</summary>
    public long Calls => Interlocked.Read(ref _calls);
    /// <summary>Calls that failed there after its own retries (each moved to another endpoint when one was up).</summary>
    public long Failures => Interlocked.Read(ref _failures);
    /// <summary>Seconds spent in its answered calls.</summary>
    public double Seconds => Interlocked.Read(ref _ticks) / (double)Stopwatch.Frequency;
    /// <summary>How often it was taken out of the pool.</summary>
    public long TakenOut { get; internal set; }
    /// <summary>A cheap request that says whether the endpoint serves (GET /models, /api/tags); null: the next call is the probe.</summary>
    public Func<CancellationToken, Task<bool>>? HealthCheck { get; } = healthCheck;
    /// <summary>Health checks it failed when its cool-down ended (each kept it out for another, longer one).</summary>
    public long FailedHealthChecks => Interlocked.Read(ref _failedChecks);
    internal void FailedCheck() => Interlocked.Increment(ref _failedChecks);

    internal void Answered(long ticks)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _ticks, ticks);
    }

    internal void Failed() => Interlocked.Increment(ref _failures);
}

/// <summary>
/// Several endpoints serving the same model as one <see cref="IChatClient"/>: each call goes to the healthy endpoint
/// with the fewest calls in flight for its weight; a call that fails there (after that endpoint's own retries) takes
/// the endpoint out of the pool and is sent to the next healthy one, so an endpoint that dies loses no call. An
/// endpoint comes back after <paramref name="cooldown"/>, doubled for each take-out since its last answer (at most
/// 16 times), so a dead endpoint costs one probing call per cool-down and fewer as it stays dead. The call fails only
/// when every endpoint has failed it. A member with a health check is checked when its cool-down ends, before it gets
/// a call again: a dead endpoint then costs one cheap request per cool-down, and no call. Answers do not depend on which endpoint gave them (the call cache keys them
/// without it).
/// </summary>
public sealed class EndpointPoolChatClient(IReadOnlyList<PoolMember> members, TimeSpan cooldown, TimeProvider? time = null) : IChatClient
{
    private const int MaxDoublings = 4;
    private readonly object _gate = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public IReadOnlyList<PoolMember> Members => members;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var tried = new HashSet<PoolMember>();
        Exception? last = null;
        while (Pick(tried) is { } member)
        {
            tried.Add(member);
            var start = Stopwatch.GetTimestamp();
            try
            {
                if (!await ReadyAsync(member, cancellationToken))
                {
                    last ??= new HttpRequestException($"endpoint {member.Name} failed its health check");
                    continue;
                }
                var response = await member.Client.GetResponseAsync(list, options, cancellationToken);
                member.Answered(Stopwatch.GetTimestamp() - start);
                lock (_gate) member.FailuresInARow = 0;
                return response;
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested) && !UsageCountingChatClient.IsCapped(e))
            {
                member.Failed();
                TakeOut(member);
                last = e;
            }
            finally
            {
                lock (_gate) member.InFlight--;
            }
        }
        throw last ?? new InvalidOperationException("no endpoint of the pool is up");
    }

    /// <summary>The healthy member not yet tried with the fewest calls in flight per unit of weight; a member that is down counts as healthy again after its cool-down.</summary>
    private PoolMember? Pick(HashSet<PoolMember> tried)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var candidates = members.Where(m => !tried.Contains(m)).ToList();
            var up = candidates.Where(m => m.DownUntil <= now).ToList();
            // When every untried endpoint is down, try the one that comes back first rather than failing the call.
            var pool = up.Count > 0 ? up : candidates.OrderBy(m => m.DownUntil).Take(1).ToList();
            var best = pool.OrderBy(m => (m.InFlight + 1) / m.Weight).ThenBy(m => members.IndexOf(m)).FirstOrDefault();
            if (best is not null) best.InFlight++;
            return best;
        }
    }

    /// <summary>
    /// Whether a member may take the call: always, unless it comes back from a take-out and has a health check, which
    /// then runs once (concurrent callers wait for its result). A failed check takes it out again, for longer.
    /// </summary>
    private async Task<bool> ReadyAsync(PoolMember member, CancellationToken ct)
    {
        if (member.HealthCheck is null || Volatile.Read(ref member.Verified)) return true;
        await member.Probe.WaitAsync(ct);
        try
        {
            if (Volatile.Read(ref member.Verified)) return true;
            bool healthy;
            try { healthy = await member.HealthCheck(ct); }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested) { healthy = false; }
            if (healthy) Volatile.Write(ref member.Verified, true);
            else
            {
                member.FailedCheck();
                TakeOut(member);
            }
            return healthy;
        }
        finally
        {
            member.Probe.Release();
        }
    }

    private void TakeOut(PoolMember member)
    {
        lock (_gate)
        {
            member.Verified = false;
            var factor = 1 << Math.Min(member.FailuresInARow, MaxDoublings);
            member.DownUntil = _time.GetTimestamp() + (long)(cooldown.TotalSeconds * factor * _time.TimestampFrequency);
            member.FailuresInARow++;
            member.TakenOut++;
        }
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the endpoint pool serves whole responses only (extraction does not stream)");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : members[0].Client.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        foreach (var m in members) m.Client.Dispose();
    }
}

internal static class ListExtensions
{
    public static int IndexOf<T>(this IReadOnlyList<T> list, T item)
    {
        for (int i = 0; i < list.Count; i++) if (EqualityComparer<T>.Default.Equals(list[i], item)) return i;
        return -1;
    }
}
