namespace CrossDomain.Trainer.Models.Mgcl;

/// <summary>
/// MGCL's switches (<c>model_params</c>). Its code is not public and its paper's settings could not be read; each
/// default is this toolkit's choice (docs/models.md, "MGCL: the form chosen").
/// </summary>
public sealed record MgclOptions : IModelOptions
{
    /// <summary>
    /// <c>graph_layers</c>: LightGCN layers over the cross-domain user–item graph (the static view). 1 by default: with
    /// 2 an item reaches, through its user, that user's other training items, so at training time a user's earlier
    /// items would carry the very positive they are trained to predict (never at test).
    /// </summary>
    public int GraphLayers { get; init; } = 1;
    /// <summary><c>item_weight</c>: weight of the intra-domain item view's contrast (sequence graph against global graph).</summary>
    public double ItemWeight { get; init; } = 0.1;
    /// <summary><c>user_weight</c>: weight of the inter-domain user preference view's contrast (target-domain against cross-domain preference).</summary>
    public double UserWeight { get; init; } = 0.1;
    /// <summary><c>temperature</c>: τ of both contrasts (NT-Xent over cosine similarities).</summary>
    public double Temperature { get; init; } = 0.2;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (GraphLayers < 0) yield return ("graph_layers", "must be >= 0");
        if (ItemWeight < 0) yield return ("item_weight", "must be >= 0");
        if (UserWeight < 0) yield return ("user_weight", "must be >= 0");
        if (Temperature <= 0) yield return ("temperature", "must be > 0");
    }
}
