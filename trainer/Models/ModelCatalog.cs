using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.SemaCdr;
using CrossDomain.Trainer.Models.Tema;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Trainer.Models;

/// <summary>
/// One registered model: its name in configs, its display name in tables (the papers' spelling), its options record
/// (<c>model_params</c>, bound by <see cref="ModelOptionsBinder"/>), and either a factory of a trainable
/// <see cref="RecommenderModel"/> with its paper's objective or a factory of a fixed ranker that needs no training.
/// </summary>
public sealed record ModelEntry(string Name, string DisplayName, Type OptionsType,
    Func<FeatureTables, TrainingConfig, RecommenderModel>? Create = null, LossKind OwnLoss = LossKind.Bce,
    Func<FeatureTables, int, IRecommenderScorer>? CreateFixed = null, IReadOnlyList<string>? Protocols = null, bool OwnObjectiveOnly = false)
{
    public bool IsTrainable => Create is not null;

    /// <summary>Whether the model trains with the shared loss family (<c>loss</c>); false for one bound to its own objective.</summary>
    public bool TakesLossFamily => IsTrainable && !OwnObjectiveOnly;

    /// <summary>The split protocols the model runs under (<see cref="FeatureTables.Protocol"/>); both unless it says otherwise.</summary>
    public IReadOnlyList<string> SupportedProtocols => Protocols ?? [FeatureTables.TargetLoo, FeatureTables.MixedLoo];
}

/// <summary>A model without switches: <c>model_params</c> must be empty.</summary>
public sealed record NoOptions : IModelOptions;

/// <summary>
/// Every model by name (RecBole's model zoo in one table). A new model is its class, its options record and one
/// line here.
/// </summary>
public static class ModelCatalog
{
    private static readonly ModelEntry[] Entries =
    [
        new("sasrec", "SASRec", typeof(SasRecOptions), (t, c) => new SasRec(t, c), LossKind.Bce),
        // CL4SRec: SASRec's encoder and objective plus a contrastive term between augmented views (RecBole's BPR by default).
        new("cl4srec", "CL4SRec", typeof(Cl4SRec.Cl4SRecOptions), (t, c) => new Cl4SRec.Cl4SRec(t, c), LossKind.Bpr),
        // CD-SASRec: SASRec over target items enriched with the mean of the earlier source items (docs/models.md).
        new("cdsasrec", "CD-SASRec", typeof(NoOptions), PerDomain((t, c) => new CdSasRec(t, c)), LossKind.Bce),
        // π-Net: GRU encoders, the shared account filter and the transfer GRU; a softmax over the target items by default.
        new("pinet", "π-Net", typeof(PiNet.PiNetOptions), PerDomain((t, c) => new PiNet.PiNet(t, c)), LossKind.Ce),
        // TJAPL: target-domain, cross-domain user and cross-domain local attentive preference learning (docs/models.md; from its abstract).
        new("tjapl", "TJAPL", typeof(Tjapl.TjaplOptions), PerDomain((t, c) => new Tjapl.Tjapl(t, c)), LossKind.Bce),
        // MGCL: a sequence-graph and a global user–item graph view of each item, single- and cross-domain preferences, two contrasts (docs/models.md; from its abstract).
        new("mgcl", "MGCL", typeof(Mgcl.MgclOptions), PerDomain((t, c) => new Mgcl.Mgcl(t, c)), LossKind.Bce),
        new("gru4rec", "GRU4Rec", typeof(Gru4RecOptions), (t, c) => new Gru4Rec(t, c), LossKind.Bpr),
        // SemaCDR and TEMA-LLM predict the target domain from source-domain context (their papers' protocol); under
        // mixed_loo an instance per domain (DomainTowers).
        new("semacdr", "SemaCDR", typeof(SemaCdrOptions), PerDomain((t, c) => new SemaCdr.SemaCdr(t, c)), LossKind.Bpr),
        new("tema", "TEMA-LLM", typeof(TemaOptions), PerDomain((t, c) => new Tema.Tema(t, c)), LossKind.Ce),
        // ABXI predicts in both domains; its InfoNCE over negatives of both domains, averaged per domain, is its own
        // (the loss key does not apply; SampledSoftmax is the family member it is closest to, for display only).
        new("abxi", "ABXI", typeof(Abxi.AbxiOptions), (t, c) => new Abxi.Abxi(t, c), LossKind.SampledSoftmax, Protocols: [FeatureTables.MixedLoo], OwnObjectiveOnly: true),
        // C2DSR predicts in both domains with its own objective (shared and domain softmax heads plus the infomax); under
        // target_loo only its target cases are scored (SemaCDR's Tables 1 and 2 run it so).
        new("c2dsr", "C2DSR", typeof(C2dsr.C2dsrOptions), (t, c) => new C2dsr.C2dsr(t, c), LossKind.Ce, OwnObjectiveOnly: true),
        // Tri-CDR is a target-domain model with its own objective (BCE with one negative, NT-Xent and triplet terms).
        new("tricdr", "Tri-CDR", typeof(TriCdr.TriCdrOptions), PerDomain((t, c) => new TriCdr.TriCdr(t, c)), LossKind.Bce, OwnObjectiveOnly: true),
        new("popularity", "Popularity", typeof(NoOptions), CreateFixed: (t, _) => new PopularityScorer(t)),
        new("random", "Random", typeof(NoOptions), CreateFixed: (_, seed) => new RandomScorer(seed)),
    ];

    /// <summary>A target-domain model's factory: the model itself under target_loo, one instance per domain under mixed_loo.</summary>
    private static Func<FeatureTables, TrainingConfig, RecommenderModel> PerDomain(Func<FeatureTables, TrainingConfig, RecommenderModel> create) =>
        (tables, config) => tables.IsMixedLoo ? new DomainTowers(tables, view => create(view, config)) : create(tables, config);

    private static readonly Dictionary<string, ModelEntry> ByName = Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);

    public static IReadOnlyList<string> Names => [.. ByName.Keys.Order(StringComparer.Ordinal)];

    public static ModelEntry Find(string model) => ByName.TryGetValue(model, out var entry) ? entry
        : throw new ArgumentException($"model: unknown model '{model}'; known: {string.Join(", ", Names)}");

    /// <summary>Display names for tables (the papers' spelling); an unknown name is shown as it is.</summary>
    public static string DisplayName(string model) => ByName.TryGetValue(model, out var entry) ? entry.DisplayName : model;

    /// <summary>The configured model's options, bound from <c>model_params</c>; errors name <c>model_params.KEY</c>.</summary>
    public static T Options<T>(TrainingConfig config) where T : class, IModelOptions, new() =>
        ModelOptionsBinder.Bind<T>(config.ModelParams, DisplayName(config.Model));

    /// <summary>Binds the configured model's options (for their errors) without building the model.</summary>
    public static IModelOptions Options(TrainingConfig config) =>
        ModelOptionsBinder.Bind(Find(config.Model).OptionsType, config.ModelParams, DisplayName(config.Model));

    /// <summary>
    /// The display name of a configured model: a model whose switches take views or parts away says so
    /// ("TEMA-LLM (ID view only)"), so a table never shows a reduced model under the full model's name.
    /// </summary>
    public static string DisplayName(TrainingConfig config)
    {
        var name = DisplayName(config.Model);
        // A model trained with another objective than its paper's is another row: "SASRec-CE".
        if (ByName.TryGetValue(config.Model, out var entry) && entry.IsTrainable && Loss(config) is var loss && loss != entry.OwnLoss)
            name += "-" + NextItemObjective.ShortName(loss);
        var variant = config.Model switch
        {
            "tema" => Options<TemaOptions>(config).Variant(config.ModelParams.GetValueOrDefault("ablation")),
            // SemaCDR's Table 2 rows: "Enhanced Tri-CDR", "Enhanced C2DSR".
            "tricdr" when Options<TriCdr.TriCdrOptions>(config).SemanticViews => "semantic views",
            "c2dsr" when Options<C2dsr.C2dsrOptions>(config).SemanticViews => "semantic views",
            _ => null,
        };
        return variant is null ? name : $"{name} ({variant})";
    }

    public static bool IsTrainable(string model) => Find(model).IsTrainable;

    /// <summary>
    /// The text of a model's defaults file (<c>trainer/Models/**/&lt;model&gt;.yaml</c>, embedded): shared train params its
    /// paper sets otherwise than the shared setup, which a pipeline places beneath its own settings; null when the
    /// model has none (the fixed rankers).
    /// </summary>
    public static string? DefaultsYaml(string model)
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream($"CrossDomain.Trainer.Models.{model}.yaml");
        return stream is null ? null : new StreamReader(stream).ReadToEnd();
    }

    /// <summary>The objective a trainable model trains with: the configured <c>loss</c>, or its paper's when that is empty.</summary>
    public static LossKind Loss(TrainingConfig config)
    {
        var entry = Trainable(config.Model);
        if (entry.OwnObjectiveOnly && config.Loss.Length > 0)
            throw new ArgumentException($"loss: {entry.DisplayName} trains with its own objective (its paper's); leave loss empty");
        return config.Loss is { Length: > 0 } name ? NextItemObjective.Parse(name) : entry.OwnLoss;
    }

    /// <summary>The objective model <paramref name="model"/> trains with under <paramref name="config"/>: its <c>loss</c>, or the model's own.</summary>
    public static NextItemObjective Objective(string model, TrainingConfig config) =>
        new(config.Loss is { Length: > 0 } name ? NextItemObjective.Parse(name) : Trainable(model).OwnLoss, config.LossNegatives);

    public static RecommenderModel Create(string model, FeatureTables tables, TrainingConfig config) => Supporting(Trainable(model), tables).Create!(tables, config);

    public static IRecommenderScorer CreateFixed(string model, FeatureTables tables, int seed) =>
        (Supporting(Find(model), tables).CreateFixed ?? throw new ArgumentException($"model: '{model}' is trainable, not a fixed ranker"))(tables, seed);

    private static ModelEntry Supporting(ModelEntry entry, FeatureTables tables) => entry.SupportedProtocols.Contains(tables.Protocol) ? entry
        : throw new ArgumentException($"model: {entry.DisplayName} runs under protocol {string.Join(" or ", entry.SupportedProtocols)}; " +
                                      $"these features were split {tables.Protocol} (the sequences stage's protocol; docs/protocols.md)");

    private static ModelEntry Trainable(string model) => Find(model) is { IsTrainable: true } entry ? entry
        : throw new ArgumentException($"model: '{model}' needs no training; it has no objective or trainable model");
}
