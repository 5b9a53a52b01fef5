using CrossDomain.Stages.Shared;

namespace CrossDomain.Stages.Sequences;

/// <summary>One row of the papers' dataset table (SemaCDR Table 4) for one domain.</summary>
public sealed record DomainStats(string Domain, string Role, int OverlappedUsers, int Items, long Interactions, double AvgLength);

/// <summary>What one filter removed in one pass.</summary>
public sealed record FilterStep(int Pass, string Filter, int ItemsRemoved, int UsersRemoved, int UserSequencesRemoved, long InteractionsRemoved);

public sealed class SequenceStats
{
    public string Source { get; set; } = "";
    public string Target { get; set; } = "";
    public string FilterMode { get; set; } = "";
    public long InputInteractions { get; set; }
    public int InputUsers { get; set; }
    public List<DomainStats> Domains { get; set; } = [];
    public List<FilterStep> Removed { get; set; } = [];
    public int Passes { get; set; }
    /// <summary>Interactions kept by the filters but beyond max_len, so not stored in the sequences.</summary>
    public long TruncatedInteractions { get; set; }
    public bool Synthetic { get; set; }
    /// <summary>cross_domain_ties as run (snake case).</summary>
    public string CrossDomainTies { get; set; } = "";
    /// <summary>Validation items that share their timestamp with a source interaction of the same user.</summary>
    public int ValidItemsWithSameTimestampSource { get; set; }
    /// <summary>Test items that share their timestamp with a source interaction of the same user.</summary>
    public int TestItemsWithSameTimestampSource { get; set; }
    /// <summary>"mixed_loo" when the split is the merged sequence's; absent (target_loo) so older statistics read the same.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Protocol { get; set; }

    public string ToMarkdown()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"# Dataset statistics: {Source} → {Target}{(Synthetic ? " (synthetic data)" : "")}");
        sb.AppendLine();
        var domains = new MarkdownTable(MarkdownTable.Text("Domain"), MarkdownTable.Text("Role"), MarkdownTable.Number("Overlapped Users"),
            MarkdownTable.Number("# Items"), MarkdownTable.Number("# Interactions"), MarkdownTable.Number("Avg. Len."));
        foreach (var d in Domains) domains.Add(d.Domain, d.Role, $"{d.OverlappedUsers:N0}", $"{d.Items:N0}", $"{d.Interactions:N0}", $"{d.AvgLength:F2}");
        sb.Append(domains);
        sb.AppendLine();
        sb.AppendLine($"Input: {InputInteractions:N0} interactions of {InputUsers:N0} users in the two domains. Filter mode: {FilterMode}, {Passes} pass(es).");
        sb.AppendLine();
        var removed = new MarkdownTable(MarkdownTable.Number("Pass"), MarkdownTable.Text("Filter"), MarkdownTable.Number("Items removed"),
            MarkdownTable.Number("Users removed"), MarkdownTable.Number("User sequences removed"), MarkdownTable.Number("Interactions removed"));
        foreach (var r in Removed)
            removed.Add($"{r.Pass}", r.Filter, $"{r.ItemsRemoved:N0}", $"{r.UsersRemoved:N0}", $"{r.UserSequencesRemoved:N0}", $"{r.InteractionsRemoved:N0}");
        sb.Append(removed);
        sb.AppendLine();
        sb.AppendLine($"Interactions beyond max_len (kept in the statistics, not stored): {TruncatedInteractions:N0}.");
        sb.AppendLine();
        if (Protocol == "mixed_loo")
        {
            sb.AppendLine("Protocol: mixed_loo. Each user's last interaction of the merged sequence is the test case and the one before it the " +
                          "validation case, each scored in its own domain; the interaction counts above are of the stored (max_len) sequences.");
            return sb.ToString();
        }
        var users = Domains.Count > 1 ? Domains[1].OverlappedUsers : 0;
        sb.AppendLine($"Held-out target items on the same timestamp as a source interaction of their user ({users:N0} users): " +
                      $"{ValidItemsWithSameTimestampSource:N0} validation, {TestItemsWithSameTimestampSource:N0} test. cross_domain_ties: {CrossDomainTies} " +
                      (CrossDomainTies == "source_first" ? "(those source interactions are in the held-out items' inputs)." : "(those source interactions are kept out of the held-out items' inputs)."));
        return sb.ToString();
    }
}
