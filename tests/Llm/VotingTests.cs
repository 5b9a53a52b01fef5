using CrossDomain.Stages.Extract;

namespace CrossDomain.Tests.Llm;

/// <summary>The votes on small cases worked out by hand.</summary>
public sealed class VotingTests
{
    private static LabelAnswer A(string summary, params int[][] labels) => new(labels, summary);

    [Fact]
    public void Item_labels_keep_the_majority_per_category_and_the_summary_of_the_best_agreeing_sample()
    {
        // Category 0: label 1 chosen 3 of 3 times, label 2 once -> {1}. Category 1: 0, 2, 2 -> {2}.
        // Category 2: 0, 1, 2 (no majority) -> the first chosen: {0}.
        var answers = new[]
        {
            A("s0", [1, 2], [0], [0]),
            A("s1", [1], [2], [1]),
            A("s2", [1], [2], [2]),
        };
        var (labels, votes, from) = Voting.Labels(answers, 3);
        Assert.Equal([1], labels[0]);
        Assert.Equal([3], votes[0]);
        Assert.Equal([2], labels[1]);
        Assert.Equal([2], votes[1]);
        Assert.Equal([0], labels[2]);
        // Jaccard with {(0,1),(1,2),(2,0)}: s0 = 2/4... s0 pairs {(0,1),(0,2),(1,0),(2,0)} -> 2/5; s1 = 2/4; s2 = 2/4 -> s1 (earliest of the best)
        Assert.Equal(1, from);
    }

    [Fact]
    public void Two_labels_can_both_hold_a_majority()
    {
        var (labels, _, _) = Voting.Labels([A("a", [0, 3]), A("b", [3, 0]), A("c", [1])], 1);
        Assert.Equal([0, 3], labels[0]);
    }

    [Fact]
    public void Schema_vote_keeps_the_k_most_supported_categories_and_agreed_labels()
    {
        var answers = new[]
        {
            new SchemaProposal([("Genre", ["Drama", "Comedy"]), ("Target Audience", ["Adult", "Kids"]), ("Mood", ["Dark"])]),
            new SchemaProposal([("genre", ["drama", "Thriller"]), ("Target audience", ["Adult"]), ("Pace", ["Fast"])]),
            new SchemaProposal([("Genre ", ["Drama", "Comedy"]), ("Tone", ["Light"]), ("Mood", ["Dark", "Calm"])]),
        };
        var schema = Voting.Schema(answers, k: 2, maxLabels: 5, minAgreement: 0.5);
        // Genre 3/3; Target Audience and Mood 2/3 each, with 3 label votes each: the tie goes to the first proposed.
        Assert.Equal(["Genre", "Target Audience"], schema.Categories.Select(c => c.Name));
        Assert.Equal(["Drama", "Comedy"], schema.Categories[0].Labels); // Thriller: 1 of 3 < 2
        Assert.Equal([3, 2], schema.Categories[0].Votes!);
        Assert.Equal(["Adult", "Kids"], schema.Categories[1].Labels); // Kids: 1 of the 2 answers naming the category = 50 %
        var strict = Voting.Schema(answers, k: 8, maxLabels: 5, minAgreement: 0.6);
        Assert.Equal(["Genre", "Target Audience", "Mood"], strict.Categories.Select(c => c.Name)); // 2 of 3 >= 60 %; Pace, Tone 1 of 3
        Assert.Equal(["Adult"], strict.Categories[1].Labels); // Kids 1 of 2 < 60 %
    }

    [Fact]
    public void Tag_vote_keeps_tags_most_queries_agree_on()
    {
        var answers = new List<List<ScoredTag>>
        {
            new() { new("Spicy", 0.9), new("sweet", 0.8), new("vegan", 0.2) },
            new() { new("spicy", 0.7), new("Sweet", 0.6) },
            new() { new("spicy ", 0.8), new("organic", 0.9) },
        };
        var voted = Voting.Tags(answers, n: 10, minAgreement: 0.5);
        Assert.Equal(["spicy", "sweet"], voted.Select(t => t.Tag));
        Assert.Equal(3, voted[0].Votes);
        Assert.Equal(0.8, voted[0].MeanScore, 6);
        Assert.Equal(0.7, voted[1].MeanScore, 6);
        Assert.Single(Voting.Tags(answers, n: 1, minAgreement: 0.5));
    }

    [Fact]
    public void Hybrid_tag_selection_is_top_r_plus_threshold_with_normalised_weights()
    {
        var scores = new Dictionary<int, int> { [0] = 90, [1] = 20, [2] = 75, [3] = 50, [4] = 70, [5] = 10, [6] = 40, [7] = 72 };
        var hybrid = Voting.SelectTags(scores, TagSelection.Hybrid, topR: 3, threshold: 70, max: 10);
        // top 3: 90 (0), 75 (2), 72 (7); then >= 70: 70 (4)
        Assert.Equal([0, 2, 7, 4], hybrid.Select(t => t.Tag));
        Assert.Equal(90.0 / 307, hybrid[0].Weight, 9);
        Assert.Equal(1.0, hybrid.Sum(t => t.Weight), 9);
        Assert.Equal([0, 2, 7], Voting.SelectTags(scores, TagSelection.TopR, 3, 70, 10).Select(t => t.Tag));
        Assert.Equal([0, 2, 7, 4], Voting.SelectTags(scores, TagSelection.Threshold, 1, 70, 10).Select(t => t.Tag));
        Assert.Equal([0, 2, 7], Voting.SelectTags(scores, TagSelection.Hybrid, 2, 70, 3).Select(t => t.Tag)); // capped at max
        Assert.Empty(Voting.SelectTags(new Dictionary<int, int>(), TagSelection.Hybrid, 5, 70, 10));
    }
}
