using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.Tema;

public enum TemaView { Id, Image, Text, Tag, Fused }

/// <summary>
/// TEMA-LLM's item tables for every item at once (§III-D, III-E), notation as in the paper:
/// <list type="bullet">
/// <item>E_id: learnable ID embeddings, d = hidden (Eq. 4);</item>
/// <item>E_img, E_tex: frozen image and title embeddings from the features (Eqs. 5–6; the paper's CLIP vectors,
/// here whatever the embed stage produced), items without one are zero rows;</item>
/// <item>e_tag^(v) = Σ_i w_i^(v) E_tag[i] with a learnable E_tag ∈ R^{|T| × d_t}, d_t = hidden (Eqs. 3, 7); w^(v) per
/// <see cref="TagEncoding"/>;</item>
/// <item>with multi-attention off, the fused e_item = MLP(e_id ⊕ e_img ⊕ e_tex ⊕ e_tag), two layers with GELU (Eq. 9).</item>
/// </list>
/// </summary>
public sealed class TemaViews : Module
{
    private readonly Embedding _id;
    private readonly Embedding? _tags;
    private readonly Tensor? _text, _image, _tagWeights; // frozen: [N + 1, e], [N + 1, e], [N + 1, |T|]
    private readonly Sequential? _fuse;
    private readonly int _hidden;

    /// <summary>The views the model predicts with, in order, and their widths.</summary>
    public IReadOnlyList<(TemaView View, int Dim)> Present { get; }
    /// <summary>The views that feed the fused embedding (multi-attention off).</summary>
    public IReadOnlyList<TemaView> Inputs { get; }

    public TemaViews(FeatureTables tables, int hidden, TemaOptions options) : base(nameof(TemaViews))
    {
        int n = tables.ItemCount + 1;
        _hidden = hidden;
        _id = Embedding(n, hidden, padding_idx: 0);
        var inputs = new List<(TemaView, int)> { (TemaView.Id, hidden) };

        var imageDim = tables.Items.Select(i => i.ImageEmbedding.Length).DefaultIfEmpty(0).Max();
        var textDim = tables.Items.Select(i => i.TitleEmbedding.Length).DefaultIfEmpty(0).Max();
        // Every view that cannot be built is named in one message, with the switch that drops it.
        var problems = new List<string>();
        if (options.Image == true && imageDim == 0)
            problems.Add("model_params.image is true, but the features have no image_embedding column (leave image at auto or false)");
        if (options.Text && (textDim == 0 || !tables.Items.Any(i => i.TitleEmbedding.Any(x => x != 0))))
            problems.Add("the text view needs title embeddings, and no item has one (embed stage with texts: [title], and items with titles), or set model_params.text: false");
        if (options.Tags && (tables.TagCount == 0 || !tables.Items.Any(i => i.Tags.Length > 0)))
            problems.Add("the tag view needs item tags, and no item has any (a tag vocabulary from the extract stage), or set model_params.tags: false");
        if (problems.Count > 0)
            throw new InvalidOperationException($"TEMA-LLM cannot build {problems.Count} of its views: {string.Join("; ", problems)}. " +
                "A run without them is labelled with what it lacks, e.g. \"TEMA-LLM (ID view only)\".");
        if (options.Image != false && imageDim > 0)
        {
            _image = Frozen(tables, n, imageDim, i => i.ImageEmbedding);
            inputs.Add((TemaView.Image, imageDim));
        }
        if (options.Text)
        {
            _text = Frozen(tables, n, textDim, i => i.TitleEmbedding);
            inputs.Add((TemaView.Text, textDim));
        }
        if (options.Tags)
        {
            _tagWeights = tensor(TagWeights(tables, n, options.TagEncoding), [n, tables.TagCount]);
            _tags = Embedding(tables.TagCount, hidden);
            inputs.Add((TemaView.Tag, hidden));
        }
        Inputs = inputs.Select(v => v.Item1).ToList();
        if (options.MultiAttention) Present = inputs;
        else
        {
            var width = inputs.Sum(v => v.Item2);
            _fuse = Sequential(Linear(width, hidden), GELU(), Linear(hidden, hidden));
            Present = [(TemaView.Fused, hidden)];
        }
        RegisterComponents();
    }

    private static Tensor Frozen(FeatureTables tables, int n, int dim, Func<FeatureTables.ItemRow, float[]> pick)
    {
        var data = new float[n * dim];
        for (int i = 1; i < n && i < tables.Items.Count; i++)
        {
            var e = pick(tables.Items[i]);
            if (e.Length == dim) e.CopyTo(data, i * dim);
        }
        return tensor(data, [n, dim]);
    }

    /// <summary>w^(v) for every item: as extracted (weighted), equal (multi-hot) or the single most relevant tag (one-hot).</summary>
    public static float[] TagWeights(FeatureTables tables, int n, TagEncoding encoding)
    {
        var t = tables.TagCount;
        var w = new float[n * t];
        for (int i = 1; i < n && i < tables.Items.Count; i++)
        {
            var item = tables.Items[i];
            var pairs = item.Tags.Zip(item.TagWeights.Length == item.Tags.Length ? item.TagWeights : Enumerable.Repeat(1f, item.Tags.Length))
                .Where(p => p.First >= 0 && p.First < t).ToList();
            if (pairs.Count == 0) continue;
            switch (encoding)
            {
                case TagEncoding.Weighted:
                    var total = pairs.Sum(p => p.Second);
                    foreach (var (tag, weight) in pairs) w[i * t + tag] += total > 0 ? weight / total : 1f / pairs.Count;
                    break;
                case TagEncoding.MultiHot:
                    foreach (var (tag, _) in pairs) w[i * t + tag] = 1f / pairs.Select(p => p.First).Distinct().Count();
                    break;
                case TagEncoding.OneHot:
                    // The highest weight; ties go to the lower tag index, so the choice is deterministic.
                    var best = pairs.OrderByDescending(p => p.Second).ThenBy(p => p.First).First();
                    w[i * t + best.First] = 1f;
                    break;
            }
        }
        return w;
    }

    /// <summary>One view's table for every item [N + 1, d_v].</summary>
    public Tensor Table(TemaView view, Device device) => view switch
    {
        TemaView.Id => _id.weight!,
        TemaView.Image => _image!.to(device),
        TemaView.Text => _text!.to(device),
        TemaView.Tag => CheckedMatmul.Product(_tagWeights!.to(device), _tags!.weight!),
        TemaView.Fused => _fuse!.forward(cat(Inputs.Select(v => Table(v, device)).ToList(), 1)),
        _ => throw new ArgumentOutOfRangeException(nameof(view)),
    };

    /// <summary>A view's input to its sequence encoder: learnable tables scaled by √d as SASRec does, frozen ones as they are.</summary>
    public Tensor Input(TemaView view, Tensor table) =>
        view is TemaView.Id or TemaView.Tag or TemaView.Fused ? table.Times(Math.Sqrt(_hidden)) : table;
}
