using CrossDomain.Stages.Extract;

namespace CrossDomain.Tests.Llm;

/// <summary>Defensive parsing of what models actually send, and schema validation of T_rec answers.</summary>
public sealed class AnswerParserTests
{
    private static readonly SemanticSchema Schema = new([new SchemaCategory("Genre", ["Drama", "Comedy"]), new SchemaCategory("Target Audience", ["Adult", "Young Adult"])], "test");

    [Theory]
    [InlineData("{\"features\": {\"Genre\": [\"Drama\"], \"Target Audience\": [\"Adult\"]}, \"semantic_summary\": \"A drama.\"}")]
    [InlineData("Sure! Here it is:\n```json\n{\"features\": {\"Genre\": [\"drama\"], \"target audience\": [\"adult\"]}, \"semantic_summary\": \"A drama.\"}\n```\nHope this helps.")]
    [InlineData("<think>The user wants JSON {not this}</think>{\"Features\": {\"Genre\": \"Drama\", \"Target Audience\": [\"Adult\",]}, \"SemanticSummary\": \"A drama.\"} trailing words")]
    public void Finds_the_answer_in_fences_preambles_reasoning_and_trailing_text(string text)
    {
        var a = AnswerValidators.Labels(text, Schema);
        Assert.True(a.Ok, a.Error);
        Assert.Equal([0], a.Value!.Labels[0]);
        Assert.Equal([0], a.Value.Labels[1]);
        Assert.Equal("A drama.", a.Value.Summary);
    }

    [Theory]
    [InlineData("{\"features\": {\"Genre\": [\"Horror\"], \"Target Audience\": [\"Adult\"]}, \"semantic_summary\": \"x\"}", "\"Horror\" is not a label of category \"Genre\"")]
    [InlineData("{\"features\": {\"Genre\": [\"Drama\"]}, \"semantic_summary\": \"x\"}", "categories missing from \"features\": Target Audience")]
    [InlineData("{\"features\": {\"Genre\": [], \"Target Audience\": [\"Adult\"]}, \"semantic_summary\": \"x\"}", "needs at least one label")]
    [InlineData("{\"features\": {\"Genre\": [\"Drama\"], \"Target Audience\": [\"Adult\"]}}", "no \"semantic_summary\"")]
    [InlineData("{\"features\": {\"Genre\": [\"Drama\"", "malformed")]
    [InlineData("I cannot help with that.", "no JSON")]
    public void Non_conforming_answers_say_what_to_fix(string text, string expected)
    {
        var a = AnswerValidators.Labels(text, Schema);
        Assert.False(a.Ok);
        Assert.Contains(expected, a.Error);
    }

    [Fact]
    public void Schema_answers_are_read_in_every_shape_the_papers_show()
    {
        var shapes = new[]
        {
            "{\"categories\": [{\"name\": \"Genre\", \"labels\": [\"Drama\", \"Comedy\"]}]}",
            "[{\"Genre\": [\"Drama\", \"Comedy\"]}]", // SemaCDR appendix A
            "{\"Genre\": [\"Drama\", \"Comedy\"]}",
        };
        foreach (var s in shapes)
        {
            var a = AnswerValidators.Schema(s);
            Assert.True(a.Ok, a.Error);
            Assert.Equal("Genre", a.Value!.Categories[0].Name);
            Assert.Equal(["Drama", "Comedy"], a.Value.Categories[0].Labels);
        }
    }

    [Fact]
    public void Tag_answers_are_validated_against_the_vocabulary_and_scale()
    {
        var vocab = new TagVocabulary(["spicy", "sweet"]);
        Assert.Equal(new Dictionary<int, int> { [0] = 80, [1] = 3 }, AnswerValidators.TagScores("{\"tags\": {\"Spicy\": 80, \"sweet\": 2.6}}", vocab.Index).Value);
        Assert.Contains("not in the tag vocabulary", AnswerValidators.TagScores("{\"tags\": {\"salty\": 80}}", vocab.Index).Error);
        Assert.Contains("from 1 to 100", AnswerValidators.TagScores("{\"tags\": {\"spicy\": 180}}", vocab.Index).Error);
        var list = AnswerValidators.TagList("{\"tags\": [{\"tag\": \"spicy\", \"score\": 0.9}, {\"tag\": \"sweet\", \"score\": 70}]}");
        Assert.Equal([0.9, 0.7], list.Value!.Select(t => t.Score));
        Assert.Contains("no numeric score", AnswerValidators.TagList("{\"tags\": [{\"tag\": \"spicy\"}]}").Error);
    }
}
