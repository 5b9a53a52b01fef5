using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// Structured-output schemas of the fixed-shape answers, generated from the answer types as the model writes them
/// (<see cref="AIJsonUtilities.CreateJsonSchema"/>), so that a schema cannot drift from the type that documents it.
/// The T_rec answer (<see cref="SemanticSchema.AnswerJsonSchema"/>) and the tag scores are built from the schema file
/// and the tag vocabulary instead: their labels and tags are data. The schemas are not part of any call-cache key
/// (the response format's mode is), so generating them changes no cached answer.
/// </summary>
public static class AnswerSchemas
{
    /// <summary>The tag vocabulary prompt's answer: {"tags": [{"tag": ..., "score": ...}]}.</summary>
    public sealed record TagListAnswer(IReadOnlyList<ScoredTagAnswer> Tags);

    public sealed record ScoredTagAnswer(string Tag, double Score);

    /// <summary>The schema induction prompt's answer: {"categories": [{"name": ..., "labels": [...]}]}.</summary>
    public sealed record SchemaProposalAnswer(IReadOnlyList<CategoryProposalAnswer> Categories);

    public sealed record CategoryProposalAnswer(string Name, IReadOnlyList<string> Labels);

    /// <summary>The enriched-description prompt's answer: {"description": ...}.</summary>
    public sealed record DescriptionAnswer(string Description);

    private static readonly JsonSerializerOptions Wire = new(AIJsonUtilities.DefaultOptions) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static readonly AIJsonSchemaCreateOptions Options = new()
    {
        IncludeSchemaKeyword = false,
        TransformOptions = new AIJsonSchemaTransformOptions { RequireAllProperties = true },
    };

    public static readonly JsonElement TagList = For<TagListAnswer>();
    public static readonly JsonElement SchemaProposal = For<SchemaProposalAnswer>();
    public static readonly JsonElement Description = For<DescriptionAnswer>();

    public static JsonElement For<T>() => AIJsonUtilities.CreateJsonSchema(typeof(T), serializerOptions: Wire, inferenceOptions: Options);
}
