using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Trainer.Models;

/// <summary>
/// Every model by name: a trainable <see cref="RecommenderModel"/> or a fixed ranker that needs no training. A new
/// model is one class plus one line here.
/// </summary>
public static class ModelCatalog
{
    /// <summary>A trainable model: how to build it and its paper's objective, the one <c>loss</c> left empty means.</summary>
    private sealed record TrainableModel(Func<FeatureTables, TrainingConfig, RecommenderModel> Create, LossKind OwnLoss);

    private static readonly Dictionary<string, TrainableModel> Trainable = new()
    {
        ["sasrec"] = new((t, c) => new SasRec(t, c), LossKind.Bce),
        ["gru4rec"] = new((t, c) => new Gru4Rec(t, c), LossKind.Bpr),
        ["semacdr"] = new((t, c) => new SemaCdr.SemaCdr(t, c), LossKind.Bpr),
        ["tema"] = new((t, c) => new Tema.Tema(t, c), LossKind.Ce),
    };

    private static readonly Dictionary<string, Func<FeatureTables, int, IRecommenderScorer>> Fixed = new()
    {
        ["popularity"] = (t, _) => new PopularityScorer(t),
        ["random"] = (_, seed) => new RandomScorer(seed),
    };

    /// <summary>Display names for tables (the papers' spelling).</summary>
    public static string DisplayName(string model) => model switch
    {
        "sasrec" => "SASRec",
        "gru4rec" => "GRU4Rec",
        "semacdr" => "SemaCDR",
        "tema" => "TEMA-LLM",
        "popularity" => "Popularity",
        "random" => "Random",
        _ => model,
    };

    /// <summary>
    /// The display name of a configured model: a model whose switches take views or parts away says so
    /// ("TEMA-LLM (ID view only)"), so a table never shows a reduced model under the full model's name.
    /// </summary>
    public static string DisplayName(TrainingConfig config)
    {
        var name = DisplayName(config.Model);
        // A model trained with another objective than its paper's is another row: "SASRec-CE".
        if (Trainable.TryGetValue(config.Model, out var m) && Loss(config) is var loss && loss != m.OwnLoss)
            name += "-" + NextItemObjective.ShortName(loss);
        var variant = config.Model switch
        {
            "tema" => Tema.TemaOptions.From(config).Variant(config.ModelParams.GetValueOrDefault("ablation")),
            _ => null,
        };
        return variant is null ? name : $"{name} ({variant})";
    }

    public static IReadOnlyList<string> Names => [.. Trainable.Keys.Concat(Fixed.Keys).Order()];

    public static bool IsTrainable(string model) => Trainable.ContainsKey(Check(model));

    /// <summary>The objective a trainable model trains with: the configured <c>loss</c>, or its paper's when that is empty.</summary>
    public static LossKind Loss(TrainingConfig config) =>
        config.Loss is { Length: > 0 } name ? NextItemObjective.Parse(name) : Trainable[Check(config.Model)].OwnLoss;

    /// <summary>The objective model <paramref name="model"/> trains with under <paramref name="config"/>: its <c>loss</c>, or the model's own.</summary>
    public static NextItemObjective Objective(string model, TrainingConfig config) =>
        new(config.Loss is { Length: > 0 } name ? NextItemObjective.Parse(name) : Trainable[Check(model)].OwnLoss, config.LossNegatives);

    public static RecommenderModel Create(string model, FeatureTables tables, TrainingConfig config) => Trainable[Check(model)].Create(tables, config);

    public static IRecommenderScorer CreateFixed(string model, FeatureTables tables, int seed) => Fixed[Check(model)](tables, seed);

    private static string Check(string model) => Trainable.ContainsKey(model) || Fixed.ContainsKey(model) ? model
        : throw new ArgumentException($"model: unknown model '{model}'; known: {string.Join(", ", Names)}");
}
