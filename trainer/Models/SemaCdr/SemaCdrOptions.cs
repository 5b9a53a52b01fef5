namespace CrossDomain.Trainer.Models.SemaCdr;

public enum AgnosticCombine { Concat, Mean }
public enum GraphKind { Full, Simple }
public enum FusionKind { Adaptive, Average }
public enum Predictor { Dot, Mlp }
/// <summary>G^S and G^T's edges (issue 25, defect 2): the paper's co-interaction, sequence transitions, or each item's top k.</summary>
public enum ItemGraph { CoInteraction, Transition, TopK }
/// <summary>An item-graph edge's entry in A: 1 (the paper) or its count.</summary>
public enum EdgeWeight { Binary, Count }
/// <summary>
/// h_u of Eq. 11 (issue 25, defect 1). Graph: the user's row of the GCN over G^mix, built from all of the user's
/// training items, so at every training position it holds the item being predicted (the paper as written).
/// Causal: the same GCN row computed at each target position over the user's items before the predicted one only.
/// None: no user term (γ h_u dropped).
/// </summary>
public enum UserVector { Graph, Causal, None }

/// <summary>
/// SemaCDR's switches, read from <c>model_params</c>. <c>ablation</c> names a row of the paper's Table 3 and sets
/// the switches it implies; single switches may also be set directly.
/// </summary>
public sealed record SemaCdrOptions : IModelOptions, IAblationPresets
{
    /// <summary>e^inn: the enriched-description embedding, projected to d2 (§2.3.1).</summary>
    public bool InnerSemantics { get; init; } = true;
    /// <summary>e^agn: subcategory embeddings over the K categories (§2.3.2, Eq. 2).</summary>
    public bool AgnosticSemantics { get; init; } = true;
    /// <summary>How e^agn joins the subcategory embeddings: concat (Eq. 2) or mean.</summary>
    public AgnosticCombine AgnosticCombine { get; init; } = AgnosticCombine.Concat;
    /// <summary>How many of the schema's categories the model uses (the first K); 0 = all.</summary>
    public int Categories { get; init; }
    /// <summary>Full: co-interaction item graphs and the user–item graph (§2.3.4). Simple: SimpGraph.</summary>
    public GraphKind Graph { get; init; } = GraphKind.Full;
    /// <summary>G^S and G^T's edges with the full graphs; SimpGraph always uses transitions.</summary>
    public ItemGraph ItemGraph { get; init; } = ItemGraph.CoInteraction;
    /// <summary>k of <see cref="ItemGraph.TopK"/>.</summary>
    public int ItemGraphTopK { get; init; } = 20;
    public EdgeWeight EdgeWeight { get; init; } = EdgeWeight.Binary;
    /// <summary>How h_u of Eq. 11 is built (<see cref="Models.SemaCdr.UserVector"/>).</summary>
    public UserVector UserVector { get; init; } = UserVector.Graph;
    /// <summary>Scale the graph outputs by √d before the Transformers, as SASRec scales its item embeddings (docs/semacdr-switches.md).</summary>
    public bool ScaleInputs { get; init; }
    /// <summary>Add each node's own transformed features to its GCN output (not in the paper; see GraphConvolution).</summary>
    public bool GraphResidual { get; init; }
    /// <summary>Cross-attention of the target sequence over the source sequence (§2.4.2); off is w/o CDBehav.</summary>
    public bool CrossDomainFusion { get; init; } = true;
    /// <summary>The form of Eq. 10's cross-attention (issue 25, defect 5): block (shipped), residual or literal.</summary>
    public CrossAttentionForm CrossAttention { get; init; } = CrossAttentionForm.Block;
    public FusionKind Fusion { get; init; } = FusionKind.Adaptive;
    public Predictor Predictor { get; init; } = Predictor.Dot;
    /// <summary>λ of Eq. 14; 0 is w/o ConReg.</summary>
    public double ContrastiveWeight { get; init; } = 0.1;
    /// <summary>Items whose keys are identical in Eq. 3's InfoNCE: negatives (literal), masked or positives (issue 25, defect 4).</summary>
    public DuplicateKeys ContrastiveDuplicates { get; init; } = DuplicateKeys.Negatives;
    /// <summary>τ of Eq. 3.</summary>
    public double Temperature { get; init; } = 0.07;
    /// <summary>Learning rate of the semantic modules (description projection, subcategory embeddings); the rest use learning_rate.</summary>
    public double SemanticLearningRate { get; init; } = 3e-4;

    public static readonly string[] AblationNames = ["full", "w/o InnSem", "w/o DomAgnSem", "w/o InnDomAgnSem", "SimpGraph", "w/o CDBehav", "AvgFusion", "w/o ConReg"];

    IReadOnlyList<string> IAblationPresets.Ablations => AblationNames;

    /// <summary>The switches each row of Table 3 implies; single switches set beside <c>ablation</c> override them.</summary>
    public object? WithAblation(string name) => name.ToLowerInvariant() switch
    {
        "full" => this,
        "w/o innsem" => this with { InnerSemantics = false },
        "w/o domagnsem" => this with { AgnosticSemantics = false },
        "w/o inndomagnsem" => this with { InnerSemantics = false, AgnosticSemantics = false },
        "simpgraph" => this with { Graph = GraphKind.Simple },
        "w/o cdbehav" => this with { CrossDomainFusion = false },
        "avgfusion" => this with { Fusion = FusionKind.Average },
        "w/o conreg" => this with { ContrastiveWeight = 0 },
        _ => null,
    };

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Temperature <= 0) yield return ("temperature", "must be > 0");
        if (ContrastiveWeight < 0) yield return ("contrastive_weight", "must be ≥ 0");
        if (ItemGraphTopK < 1) yield return ("item_graph_top_k", "must be ≥ 1");
        if (Graph == GraphKind.Simple && ItemGraph != ItemGraph.CoInteraction && ItemGraph != ItemGraph.Transition)
            yield return ("item_graph", $"SimpGraph (graph: simple) uses transition edges; it cannot be combined with item_graph: {ItemGraph}");
        if (Categories < 0) yield return ("categories", "must be ≥ 0 (0 = all)");
    }
}
