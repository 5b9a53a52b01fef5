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
    private static readonly Dictionary<string, Func<FeatureTables, TrainingConfig, RecommenderModel>> Trainable = new()
    {
        ["sasrec"] = (t, c) => new SasRec(t, c),
        ["gru4rec"] = (t, c) => new Gru4Rec(t.ItemCount, c),
        ["semacdr"] = (t, c) => new SemaCdr.SemaCdr(t, c),
        ["tema"] = (t, c) => new Tema.Tema(t, c),
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
        var variant = config.Model switch
        {
            "tema" => Tema.TemaOptions.From(config).Variant(config.ModelParams.GetValueOrDefault("ablation")),
            _ => null,
        };
        return variant is null ? name : $"{name} ({variant})";
    }

    public static IReadOnlyList<string> Names => [.. Trainable.Keys.Concat(Fixed.Keys).Order()];

    public static bool IsTrainable(string model) => Trainable.ContainsKey(Check(model));

    public static RecommenderModel Create(string model, FeatureTables tables, TrainingConfig config) => Trainable[Check(model)](tables, config);

    public static IRecommenderScorer CreateFixed(string model, FeatureTables tables, int seed) => Fixed[Check(model)](tables, seed);

    private static string Check(string model) => Trainable.ContainsKey(model) || Fixed.ContainsKey(model) ? model
        : throw new ArgumentException($"model: unknown model '{model}'; known: {string.Join(", ", Names)}");
}
