namespace CrossDomain.Stages.Sequences;

/// <summary>
/// The papers' preprocessing, in memory and independent of file formats: order each user's interactions by
/// time (stable: equal timestamps keep file order; across domains cross_domain_ties decides), apply
/// the repeat policy, filter items and users (once or to a fixed point), keep overlapping users, and cut the
/// target sequence leave-one-out.
/// </summary>
public sealed class SequenceBuilder(SequencesParams p)
{
    private readonly Dictionary<string, int> _users = new(StringComparer.Ordinal);
    private readonly List<string> _userNames = [];
    private readonly Dictionary<string, int>[] _items = [new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
    private readonly List<(string Item, int Domain)> _itemNames = [];
    private int[] _u = new int[1024], _i = new int[1024];
    private byte[] _d = new byte[1024];
    private long[] _t = new long[1024];
    private int _n;

    /// <summary>Adds one interaction in file order. <paramref name="domain"/>: 0 source, 1 target.</summary>
    public void Add(string user, string item, int domain, long timestamp)
    {
        if (!_users.TryGetValue(user, out var u)) { u = _userNames.Count; _users.Add(user, u); _userNames.Add(user); }
        if (!_items[domain].TryGetValue(item, out var it)) { it = _itemNames.Count; _items[domain].Add(item, it); _itemNames.Add((item, domain)); }
        if (_n == _u.Length)
        {
            Array.Resize(ref _u, _n * 2); Array.Resize(ref _i, _n * 2); Array.Resize(ref _d, _n * 2); Array.Resize(ref _t, _n * 2);
        }
        _u[_n] = u; _i[_n] = it; _d[_n] = (byte)domain; _t[_n] = timestamp;
        _n++;
    }

    public sealed record Result(List<SequenceRow> Rows, List<ItemIndexRow> Items, List<UserIndexRow> Users, SequenceStats Stats);

    public Result Build()
    {
        var stats = new SequenceStats
        {
            Source = p.Source, Target = p.Target, FilterMode = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Filter.ToString()),
            CrossDomainTies = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.CrossDomainTies.ToString()), InputInteractions = _n, InputUsers = _userNames.Count,
            Protocol = p.Protocol == EvaluationProtocol.MixedLoo ? "mixed_loo" : null,
        };
        var byUser = GroupChronologically();
        var alive = new bool[_n];
        Array.Fill(alive, true);
        ApplyRepeatPolicy(byUser, alive, stats);
        Filter(byUser, alive, stats);
        return Emit(byUser, alive, stats);
    }

    /// <summary>Rows of each user in chronological order (CSR: offsets into one index array).</summary>
    private (int[] Offsets, int[] Rows) GroupChronologically()
    {
        var offsets = new int[_userNames.Count + 1];
        for (int k = 0; k < _n; k++) offsets[_u[k] + 1]++;
        for (int u = 0; u < _userNames.Count; u++) offsets[u + 1] += offsets[u];
        var rows = new int[_n];
        var fill = offsets[..^1].ToArray();
        for (int k = 0; k < _n; k++) rows[fill[_u[k]]++] = k; // counting sort: file order kept within a user
        for (int u = 0; u < _userNames.Count; u++)
            rows.AsSpan(offsets[u], offsets[u + 1] - offsets[u]).Sort((a, b) =>
            {
                var c = _t[a].CompareTo(_t[b]);
                if (c != 0) return c;
                // Same timestamp across domains: source first (domain 0) or target first.
                c = p.CrossDomainTies == TieOrder.SourceFirst ? _d[a].CompareTo(_d[b]) : _d[b].CompareTo(_d[a]);
                return c != 0 ? c : a.CompareTo(b); // same domain: file order
            });
        return (offsets, rows);
    }

    private void ApplyRepeatPolicy((int[] Offsets, int[] Rows) byUser, bool[] alive, SequenceStats stats)
    {
        if (p.Repeats == RepeatPolicy.KeepAll) return;
        long removed = 0;
        var seen = new HashSet<int>();
        for (int u = 0; u < _userNames.Count; u++)
        {
            seen.Clear();
            var span = RowsOf(byUser, u);
            // Items are domain-scoped ids, so one set serves both domains.
            if (p.Repeats == RepeatPolicy.KeepFirst)
                for (int k = 0; k < span.Length; k++) { if (!seen.Add(_i[span[k]])) { alive[span[k]] = false; removed++; } }
            else
                for (int k = span.Length - 1; k >= 0; k--) { if (!seen.Add(_i[span[k]])) { alive[span[k]] = false; removed++; } }
        }
        stats.Removed.Add(new FilterStep(0, $"repeats ({System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Repeats.ToString())})", 0, 0, 0, removed));
    }

    private void Filter((int[] Offsets, int[] Rows) byUser, bool[] alive, SequenceStats stats)
    {
        var itemAlive = new bool[_itemNames.Count];
        var itemCount = new int[_itemNames.Count];
        var userAlive = new bool[_userNames.Count];
        for (int k = 0; k < _n; k++) if (alive[k]) { userAlive[_u[k]] = true; itemAlive[_i[k]] = true; }
        // target_loo holds out two target interactions, so a target sequence needs three; mixed_loo needs three in all.
        var mixed = p.Protocol == EvaluationProtocol.MixedLoo;
        var minTarget = mixed ? p.MinUserInteractions : Math.Max(p.MinUserInteractions, 3);
        Span<int> count = stackalloc int[2];
        for (int pass = 1; ; pass++)
        {
            long before = CountAlive(alive);
            // (1) items with too few interactions in their domain
            Array.Clear(itemCount);
            for (int k = 0; k < _n; k++) if (alive[k]) itemCount[_i[k]]++;
            int itemsRemoved = 0;
            for (int it = 0; it < itemCount.Length; it++)
                if (itemAlive[it] && itemCount[it] < p.MinItemInteractions) { itemAlive[it] = false; itemsRemoved++; }
            long killed = 0;
            for (int k = 0; k < _n; k++) if (alive[k] && !itemAlive[_i[k]]) { alive[k] = false; killed++; }
            stats.Removed.Add(new FilterStep(pass, $"items < {p.MinItemInteractions} interactions", itemsRemoved, 0, 0, killed));

            // (2) a user's domain sequence shorter than the threshold (target: at least 3 for leave-one-out)
            int seqRemoved = 0;
            killed = 0;
            for (int u = 0; u < _userNames.Count; u++)
            {
                if (!userAlive[u]) continue;
                var span = RowsOf(byUser, u);
                CountPerDomain(span, alive, count);
                for (int dom = 0; dom < 2; dom++)
                {
                    var min = dom == 1 ? minTarget : p.MinUserInteractions;
                    if (count[dom] == 0 || count[dom] >= min) continue;
                    seqRemoved++;
                    foreach (var k in span) if (alive[k] && _d[k] == dom) { alive[k] = false; killed++; }
                }
            }
            stats.Removed.Add(new FilterStep(pass, $"user sequences < {p.MinUserInteractions} per domain (target < {minTarget})", 0, 0, seqRemoved, killed));

            // (3) users without a target sequence, or (overlapping only) without both
            int usersRemoved = 0;
            killed = 0;
            for (int u = 0; u < _userNames.Count; u++)
            {
                if (!userAlive[u]) continue;
                var span = RowsOf(byUser, u);
                CountPerDomain(span, alive, count);
                var keep = mixed
                    ? count[0] + count[1] >= 3 && (!p.OverlappingUsersOnly || (count[0] > 0 && count[1] > 0))
                    : count[1] > 0 && (!p.OverlappingUsersOnly || count[0] > 0);
                if (keep) continue;
                userAlive[u] = false;
                usersRemoved++;
                foreach (var k in span) if (alive[k]) { alive[k] = false; killed++; }
            }
            stats.Removed.Add(new FilterStep(pass, (mixed, p.OverlappingUsersOnly) switch
            {
                (true, true) => "users not in both domains or with < 3 interactions",
                (true, false) => "users with < 3 interactions",
                (false, true) => "users not in both domains",
                _ => "users without target interactions",
            }, 0, usersRemoved, 0, killed));
            stats.Passes = pass;
            if (p.Filter == FilterMode.Once || CountAlive(alive) == before) break;
        }
    }

    private static ReadOnlySpan<int> RowsOf((int[] Offsets, int[] Rows) byUser, int u) =>
        byUser.Rows.AsSpan(byUser.Offsets[u], byUser.Offsets[u + 1] - byUser.Offsets[u]);

    /// <summary>Live interactions of one user per domain (count[0] source, count[1] target).</summary>
    private void CountPerDomain(ReadOnlySpan<int> rows, bool[] alive, Span<int> count)
    {
        count.Clear();
        foreach (var k in rows) if (alive[k]) count[_d[k]]++;
    }

    private static long CountAlive(bool[] alive)
    {
        long c = 0;
        foreach (var a in alive) if (a) c++;
        return c;
    }

    private Result Emit((int[] Offsets, int[] Rows) byUser, bool[] alive, SequenceStats stats)
    {
        var usedItem = new bool[_itemNames.Count];
        var userKept = new bool[_userNames.Count];
        for (int k = 0; k < _n; k++) if (alive[k]) { usedItem[_i[k]] = true; userKept[_u[k]] = true; }

        // Stable indices: items by (domain name, item id), users by id, ordinal. Same input, same indices,
        // and both directions of a pair share them.
        var domainNames = new[] { p.Source, p.Target };
        var itemOrder = Enumerable.Range(0, _itemNames.Count).Where(i => usedItem[i])
            .OrderBy(i => domainNames[_itemNames[i].Domain], StringComparer.Ordinal).ThenBy(i => _itemNames[i].Item, StringComparer.Ordinal).ToList();
        var itemIdx = new int[_itemNames.Count];
        var items = new List<ItemIndexRow>(itemOrder.Count);
        for (int r = 0; r < itemOrder.Count; r++)
        {
            var i = itemOrder[r];
            itemIdx[i] = r + 1;
            items.Add(new ItemIndexRow { ItemIdx = r + 1, Item = _itemNames[i].Item, Domain = domainNames[_itemNames[i].Domain], Role = _itemNames[i].Domain == 0 ? "source" : "target" });
        }
        var userOrder = Enumerable.Range(0, _userNames.Count).Where(u => userKept[u]).OrderBy(u => _userNames[u], StringComparer.Ordinal).ToList();
        var users = userOrder.Select((u, r) => new UserIndexRow { UserIdx = r, User = _userNames[u] }).ToList();

        var rows = new List<SequenceRow>(userOrder.Count);
        long[] interactions = [0, 0];
        long truncated = 0;
        var src = new List<int>(); var srcT = new List<long>();
        var tgt = new List<int>(); var tgtT = new List<long>();
        var mix = new List<int>(); var mixT = new List<long>(); var mixD = new List<int>();
        for (int r = 0; r < userOrder.Count; r++)
        {
            var u = userOrder[r];
            src.Clear(); srcT.Clear(); tgt.Clear(); tgtT.Clear(); mix.Clear(); mixT.Clear(); mixD.Clear();
            foreach (var k in RowsOf(byUser, u))
            {
                if (!alive[k]) continue;
                var idx = itemIdx[_i[k]];
                (_d[k] == 0 ? src : tgt).Add(idx);
                (_d[k] == 0 ? srcT : tgtT).Add(_t[k]);
                mix.Add(idx); mixT.Add(_t[k]); mixD.Add(_d[k]);
            }
            if (p.Protocol == EvaluationProtocol.MixedLoo)
            {
                rows.Add(MixedLooRow(r, _userNames[u], mix, mixT, mixD, interactions, ref truncated));
                continue;
            }
            if (srcT.Contains(tgtT[^2])) stats.ValidItemsWithSameTimestampSource++;
            if (srcT.Contains(tgtT[^1])) stats.TestItemsWithSameTimestampSource++;
            interactions[0] += src.Count;
            interactions[1] += tgt.Count;
            truncated += Math.Max(0, src.Count - p.MaxLen) + Math.Max(0, tgt.Count - p.MaxLen);
            rows.Add(new SequenceRow
            {
                UserIdx = r, User = _userNames[u],
                SourceItems = Last(src), SourceTimestamps = Last(srcT),
                TargetItems = Last(tgt), TargetTimestamps = Last(tgtT),
                MixedItems = Last(mix), MixedTimestamps = Last(mixT), MixedDomains = Last(mixD),
                ValidItem = tgt[^2], ValidTimestamp = tgtT[^2], TestItem = tgt[^1], TestTimestamp = tgtT[^1],
            });
        }
        stats.TruncatedInteractions = truncated;
        for (int dom = 0; dom < 2; dom++)
        {
            var usersInDomain = rows.Count(row => (dom == 0 ? row.SourceItems : row.TargetItems).Length > 0);
            stats.Domains.Add(new DomainStats(domainNames[dom], dom == 0 ? "source" : "target", usersInDomain,
                items.Count(i => i.Role == (dom == 0 ? "source" : "target")), interactions[dom],
                usersInDomain == 0 ? 0 : (double)interactions[dom] / usersInDomain));
        }
        return new Result(rows, items, users, stats);
    }

    /// <summary>
    /// mixed_loo (C2DSR's and ABXI's dataloaders): the merged sequence is cut to its last max_len interactions first,
    /// and the domain sequences are its two parts; its last interaction is the test case and the one before it the
    /// validation case, in whichever domain each falls.
    /// </summary>
    private SequenceRow MixedLooRow(int userIdx, string user, List<int> mix, List<long> mixT, List<int> mixD, long[] interactions, ref long truncated)
    {
        int[] items = Last(mix), domains = Last(mixD);
        long[] times = Last(mixT);
        truncated += mix.Count - items.Length;
        var row = new SequenceRow
        {
            UserIdx = userIdx, User = user, MixedItems = items, MixedTimestamps = times, MixedDomains = domains,
            ValidItem = items[^2], ValidTimestamp = times[^2], TestItem = items[^1], TestTimestamp = times[^1],
        };
        (row.SourceItems, row.SourceTimestamps, row.TargetItems, row.TargetTimestamps) = row.DomainParts(items.Length);
        interactions[0] += row.SourceItems.Length;
        interactions[1] += row.TargetItems.Length;
        return row;
    }

    private T[] Last<T>(List<T> list) => list.Count <= p.MaxLen ? list.ToArray() : list.GetRange(list.Count - p.MaxLen, p.MaxLen).ToArray();
}
