using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.SemaCdr;

/// <summary>
/// SemaCDR's multi-view item embeddings for every item at once (§2.3.1–2.3.2):
/// e^ID (learnable, d1), e^inn = W · (the enriched-description sentence embedding, frozen) projected to d2, and
/// e^agn = ⊕_k pool_{v ∈ V_m(c_k)} e(v) over the K categories (Eq. 2): the labels of one category are mean-pooled
/// (multi-label categories), the categories concatenated or mean-pooled, d_agn = hidden either way: the contrastive
/// terms compare e^agn with the other views, so it must be as wide as they are. Concatenated, a category is
/// ⌈hidden / K⌉ or ⌊hidden / K⌋ wide (hidden = 64, K = 6: four of 11, two of 10), the wider ones first.
/// </summary>
public sealed class ItemViews : Module
{
    private readonly Embedding? _id;
    private readonly Linear? _inner;
    private readonly Embedding? _subcategories;
    private readonly Tensor _descriptions;   // [N + 1, d_text], frozen
    private readonly Tensor? _membership;    // [N + 1, K, V]: 1/|V_m(c_k)| for the item's labels of category k
    private readonly Tensor? _concatColumns; // columns of the flattened [K · ⌈hidden / K⌉] kept when K does not divide hidden
    private readonly int _categories;
    private readonly AgnosticCombine _combine;

    public int IdDim { get; }
    public int InnerDim { get; }
    public int AgnosticDim { get; }
    /// <summary>Items with at least one label (they take part in the contrastive terms).</summary>
    public bool[] HasLabels { get; }
    /// <summary>Per item, an id shared by exactly the items with the same labels in the categories used (their e^agn is identical); −1 without labels.</summary>
    public long[] KeyGroup { get; }
    /// <summary>Items with a description embedding.</summary>
    public bool[] HasDescription { get; }

    public ItemViews(FeatureTables tables, int hidden, SemaCdrOptions options)
        : this(tables, hidden, options.InnerSemantics, options.AgnosticSemantics, options.Categories, options.AgnosticCombine, withId: true) { }

    /// <param name="withId">Whether the views hold their own e^ID table (SemaCDR); a host model with its own ID table leaves it out (<see cref="MultiViewItems"/>).</param>
    public ItemViews(FeatureTables tables, int hidden, bool innerSemantics, bool agnosticSemantics, int categories, AgnosticCombine combine, bool withId)
        : base(nameof(ItemViews))
    {
        int n = tables.ItemCount + 1;
        IdDim = withId ? hidden : 0;
        if (withId) _id = Embedding(n, hidden, padding_idx: 0);
        var textDim = tables.Items.Select(i => i.DescriptionEmbedding.Length).DefaultIfEmpty(0).Max();
        HasDescription = new bool[n];
        var text = new float[n * Math.Max(1, textDim)];
        for (int i = 1; i < n && i < tables.Items.Count; i++)
        {
            var e = tables.Items[i].DescriptionEmbedding;
            if (e.Length == textDim && textDim > 0 && e.Any(x => x != 0)) { e.CopyTo(text, i * textDim); HasDescription[i] = true; }
        }
        _descriptions = tensor(text, [n, Math.Max(1, textDim)]);
        if (innerSemantics)
        {
            if (textDim == 0) throw new InvalidOperationException("SemaCDR's inner-domain view needs description embeddings in the features (embed stage with texts: [description]); or set ablation: w/o InnSem");
            _inner = Linear(textDim, hidden);
            InnerDim = hidden;
        }

        HasLabels = new bool[n];
        KeyGroup = Enumerable.Repeat(-1L, n).ToArray();
        var categoryCount = tables.LabelCategories.DefaultIfEmpty(-1).Max() + 1;
        _categories = categories > 0 ? Math.Min(categories, categoryCount) : categoryCount;
        _combine = combine;
        if (agnosticSemantics)
        {
            if (_categories <= 0) throw new InvalidOperationException("SemaCDR's domain-agnostic view needs a label vocabulary in the features' manifest; or set ablation: w/o DomAgnSem");
            var labels = tables.LabelCategories.Count;
            var membership = new float[n * _categories * labels];
            for (int i = 1; i < n && i < tables.Items.Count; i++)
            {
                var byCategory = tables.Items[i].Labels.Where(l => l < labels && tables.LabelCategories[l] < _categories).GroupBy(l => tables.LabelCategories[l]);
                foreach (var g in byCategory)
                {
                    var distinct = g.Distinct().ToList();
                    foreach (var l in distinct) membership[(i * _categories + g.Key) * labels + l] = 1f / distinct.Count;
                    HasLabels[i] = true;
                }
            }
            var groupOf = new Dictionary<string, long>();
            for (int i = 1; i < n && i < tables.Items.Count; i++)
            {
                if (!HasLabels[i]) continue;
                var key = string.Join(',', tables.Items[i].Labels.Where(l => l < labels && tables.LabelCategories[l] < _categories).Distinct().Order());
                if (!groupOf.TryGetValue(key, out var id)) groupOf[key] = id = groupOf.Count;
                KeyGroup[i] = id;
            }
            _membership = tensor(membership, [n, _categories, labels]);
            var subDim = _combine == AgnosticCombine.Concat ? (hidden + _categories - 1) / _categories : hidden;
            _subcategories = Embedding(labels, subDim);
            AgnosticDim = hidden;
            if (_combine == AgnosticCombine.Concat && subDim * _categories != hidden)
            {
                // Category k keeps its first w_k columns, Σ w_k = hidden; the rest of its embedding is never read.
                var wide = hidden - (subDim - 1) * _categories;
                var keep = Enumerable.Range(0, _categories)
                    .SelectMany(k => Enumerable.Range(k * subDim, k < wide ? subDim : subDim - 1).Select(c => (long)c)).ToArray();
                _concatColumns = tensor(keep, ScalarType.Int64);
            }
        }
        RegisterComponents();
    }

    /// <summary>The modules that learn at the semantic learning rate.</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> SemanticParameters() =>
        (_inner?.parameters() ?? []).Concat(_subcategories?.parameters() ?? []);

    /// <summary>e^ID for every item [N + 1, d1] (only when the views hold it).</summary>
    public Tensor Id => _id?.weight ?? throw new InvalidOperationException("these item views hold no e^ID table (the host model's own table is its ID view)");

    /// <summary>e^inn for every item [N + 1, d2], or null when the view is off.</summary>
    public Tensor? Inner(Device device) => _inner?.forward(_descriptions.to(device));

    /// <summary>e^agn for every item [N + 1, d_agn], or null when the view is off.</summary>
    public Tensor? Agnostic(Device device)
    {
        if (_subcategories is null || _membership is null) return null;
        var pooled = CheckedMatmul.Product(_membership.to(device), _subcategories.weight!); // [N + 1, K, d_sub]
        if (_combine == AgnosticCombine.Concat)
            return _concatColumns is null ? pooled.flatten(1) : pooled.flatten(1).index_select(1, _concatColumns.to(device));
        var present = _membership.to(device).sum(-1).gt(KeptScalars.Zero).to_type(pooled.dtype).sum(-1, keepdim: true).clamp_min(KeptScalars.One); // categories with a label
        return pooled.sum(1) / present;
    }

    /// <summary>
    /// L_c¹ + L_c² of Eq. 3 over <paramref name="batchItems"/>, each summed over the source and the target domain:
    /// InfoNCE(e^ID, e^agn) over the items with labels and InfoNCE(e^inn, e^agn) over those also described.
    /// </summary>
    /// <param name="id">The ID view [N + 1, d] (this table's, or a host model's).</param>
    public Tensor ViewContrast(Tensor id, Tensor? inner, Tensor agnostic, IEnumerable<long> batchItems, bool[] isSource, double temperature, DuplicateKeys duplicates, Device device)
    {
        var items = batchItems.Where(i => i > 0 && HasLabels[i]).Distinct().Order().ToArray();
        var total = zeros(1, device: device).squeeze();
        foreach (var source in new[] { true, false })
        {
            var domain = items.Where(i => isSource[i] == source).ToArray();
            if (domain.Length >= 2)
            {
                var ids = tensor(domain, device: device);
                total = total.Plus(InfoNce.Loss(Rows(id, ids), Rows(agnostic, ids), temperature, Groups(domain), duplicates));
            }
            var described = domain.Where(i => HasDescription[i]).ToArray();
            if (inner is not null && described.Length >= 2)
            {
                var ids = tensor(described, device: device);
                total = total.Plus(InfoNce.Loss(Rows(inner, ids), Rows(agnostic, ids), temperature, Groups(described), duplicates));
            }
        }
        return total;
    }

    private long[] Groups(long[] items) => [.. items.Select(i => KeyGroup[i])];

    /// <summary>Rows of a table by index, through index_select: its backward is an index_add, which sums in a fixed order on CPU (advanced indexing's is not).</summary>
    public static Tensor Rows(Tensor table, Tensor ids) =>
        table.index_select(0, ids.flatten()).view([.. ids.shape, table.shape[1]]);
}
