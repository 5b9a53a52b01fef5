using CrossDomain.Trainer.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.SemaCdr;

/// <summary>What a host model sets to opt into SemaCDR's item semantics (<c>semantic_views</c> and its companions).</summary>
public sealed record SemanticViewSettings(bool Enabled, double Weight, double Temperature);

/// <summary>
/// SemaCDR's multi-view item representation and view-contrastive loss as a module another model opts into (SemaCDR
/// §3.4, Table 2: "Enhanced C2DSR", "Enhanced Tri-CDR"). The host keeps its own ID table as the ID view; an item
/// becomes e = W [e^ID ⊕ e^inn ⊕ e^agn] (one linear map back to the host's width, the inner-domain and
/// domain-agnostic views built as in SemaCDR by <see cref="ItemViews"/>), and the host adds λ (L_c¹ + L_c²) of Eq. 3
/// over its batch's items to its loss. How a host applies it (which tables, which lookups) is in its own docs.
/// </summary>
public sealed class MultiViewItems : Module
{
    private readonly ItemViews _views;
    private readonly Linear _fuse;
    private readonly bool[] _isSource;
    private readonly SemanticViewSettings _settings;

    public MultiViewItems(FeatureTables tables, int hidden, SemanticViewSettings settings) : base(nameof(MultiViewItems))
    {
        _settings = settings;
        _views = new ItemViews(tables, hidden, innerSemantics: true, agnosticSemantics: true, categories: 0, AgnosticCombine.Concat, withId: false);
        _fuse = Linear(hidden + _views.InnerDim + _views.AgnosticDim, hidden);
        _isSource = new bool[tables.ItemCount + 1];
        foreach (var i in tables.SourceItems) _isSource[i] = true;
        RegisterComponents();
    }

    /// <summary>The semantic views of every item, computed once per batch: e^inn and e^agn [N + 1, d].</summary>
    public (Tensor Inner, Tensor Agnostic) Compute(Device device) => (_views.Inner(device)!, _views.Agnostic(device)!);

    /// <summary>W [e^ID ⊕ e^inn ⊕ e^agn] for <paramref name="ids"/> of any shape, their ID rows given ([..., d]).</summary>
    public Tensor Enrich((Tensor Inner, Tensor Agnostic) views, Tensor idRows, Tensor ids) =>
        _fuse.forward(cat([idRows, ItemViews.Rows(views.Inner, ids), ItemViews.Rows(views.Agnostic, ids)], -1));

    /// <summary>W [e^ID ⊕ e^inn ⊕ e^agn] for every item, from the host's whole ID table [N + 1, d].</summary>
    public Tensor EnrichAll((Tensor Inner, Tensor Agnostic) views, Tensor idTable) =>
        _fuse.forward(cat([idTable, views.Inner, views.Agnostic], -1));

    /// <summary>λ (L_c¹ + L_c²) over the batch's items, with the host's ID table as e^ID.</summary>
    public Tensor Contrastive((Tensor Inner, Tensor Agnostic) views, Tensor idTable, IEnumerable<long> batchItems, Device device) =>
        _views.ViewContrast(idTable, views.Inner, views.Agnostic, batchItems, _isSource, _settings.Temperature, DuplicateKeys.Negatives, device)
            .mul(CrossDomain.Trainer.Torch.KeptScalars.Of(_settings.Weight));
}
