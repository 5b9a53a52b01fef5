using System.Text.Json;
using CrossDomain.Stages.Extract;

namespace CrossDomain.Tests.Llm;

/// <summary>The fixed-shape answers' structured-output schemas, generated from their types, say what the validators read.</summary>
public class AnswerSchemasTests
{
    private static JsonElement At(JsonElement schema, params string[] path) =>
        path.Aggregate(schema, (node, key) => node.GetProperty(key));

    private static string[] Required(JsonElement schema) => [.. schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).Order()];

    [Fact]
    public void Tag_list_schema_requires_tags_with_a_name_and_a_numeric_score()
    {
        var s = AnswerSchemas.TagList;
        Assert.Equal(["tags"], Required(s));
        var item = At(s, "properties", "tags", "items");
        Assert.Equal(["score", "tag"], Required(item));
        Assert.Equal("string", At(item, "properties", "tag", "type").GetString());
        Assert.Equal("number", At(item, "properties", "score", "type").GetString());
        // What the schema asks for is what the validator accepts.
        Assert.True(AnswerValidators.TagList("""{"tags":[{"tag":"spicy","score":0.9}]}""").Ok);
    }

    [Fact]
    public void Schema_proposal_and_description_schemas_name_their_keys_in_snake_case()
    {
        var category = At(AnswerSchemas.SchemaProposal, "properties", "categories", "items");
        Assert.Equal(["labels", "name"], Required(category));
        Assert.Equal("string", At(category, "properties", "labels", "items", "type").GetString());
        Assert.Equal(["description"], Required(AnswerSchemas.Description));
        Assert.Equal("string", At(AnswerSchemas.Description, "properties", "description", "type").GetString());
        Assert.False(AnswerSchemas.Description.TryGetProperty("$schema", out _));
    }

    [Fact]
    public void The_generated_schemas_are_the_bytes_the_hand_written_ones_were()
    {
        // Requests send the same schema as before the schemas were generated, so providers answer as before.
        Assert.Equal("""{"type":"object","properties":{"tags":{"type":"array","items":{"type":"object","properties":{"tag":{"type":"string"},"score":{"type":"number"}},"required":["tag","score"]}}},"required":["tags"]}""",
            AnswerSchemas.TagList.GetRawText());
        Assert.Equal("""{"type":"object","properties":{"description":{"type":"string"}},"required":["description"]}""", AnswerSchemas.Description.GetRawText());
    }
}
