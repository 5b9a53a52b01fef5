namespace CrossDomain.Trainer.Models.C2dsr;

/// <summary>
/// C2DSR's switches (<c>model_params</c>), from cjx96/C2DSR's train_rec.py and trainer.py. The shared keys it sets
/// otherwise than the shared setup (hidden 256, 1 head, 2 blocks, dropout 0.2, Adam 1e-3 with L2 5e-4, length 15,
/// validation every 5 epochs of 100) are in c2dsr.yaml.
/// </summary>
public sealed record C2dsrOptions : IModelOptions
{
    /// <summary><c>lambda</c>: λ of L = λ (L_share^X + L_share^Y + L_X + L_Y) + (1 − λ)(L_MI^X + L_MI^Y) (--lambda 0.7).</summary>
    public double Lambda { get; init; } = 0.7;
    /// <summary><c>gnn_layers</c>: propagation layers of each item graph's GCN (--GNN 1).</summary>
    public int GnnLayers { get; init; } = 1;
    /// <summary><c>loss_positions</c>: the most recent positions whose next item the prediction losses score (trainer.py's used = 10).</summary>
    public int LossPositions { get; init; } = 10;
    /// <summary><c>semantic_views</c>: SemaCDR's item semantics (<see cref="SemaCdr.MultiViewItems"/>) on the three item tables before their GCNs, "Enhanced C2DSR" of SemaCDR's Table 2.</summary>
    public bool SemanticViews { get; init; }
    /// <summary><c>semantic_weight</c>: λ of the view-contrastive term (SemaCDR's Appendix C for C2DSR: 0.15).</summary>
    public double SemanticWeight { get; init; } = 0.15;
    /// <summary><c>semantic_temperature</c>: τ of its InfoNCE (Appendix C: 0.07).</summary>
    public double SemanticTemperature { get; init; } = 0.07;

    public SemaCdr.SemanticViewSettings Semantics => new(SemanticViews, SemanticWeight, SemanticTemperature);

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (SemanticWeight < 0) yield return ("semantic_weight", "must be >= 0");
        if (SemanticTemperature <= 0) yield return ("semantic_temperature", "must be > 0");
    }
}
