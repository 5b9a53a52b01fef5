using CrossDomain.Trainer.Torch;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Training;

/// <summary>The training objective of a next-item model (the shared <c>loss</c> key; RecBole's <c>loss_type</c>).</summary>
public enum LossKind
{
    /// <summary>Binary cross-entropy on the positive's logit and one sampled negative's (SASRec's original objective).</summary>
    Bce,
    /// <summary>BPR: −log σ(s⁺ − s⁻) against one sampled negative (GRU4Rec's and SemaCDR's).</summary>
    Bpr,
    /// <summary>Cross-entropy over a full softmax on every item of the positive's domain (RecBole's CE; TEMA-LLM's).</summary>
    Ce,
    /// <summary>Cross-entropy over the positive and <c>loss_negatives</c> uniformly drawn items shared by the batch.</summary>
    SampledSoftmax,
}

/// <summary>Scores a model gives candidate items from its hidden states; each model says how (dot product, MLP, a mixture of views).</summary>
public interface ICandidateScorer
{
    /// <summary>One logit per row: row r of <paramref name="hidden"/> [N, D] against item <paramref name="items"/>[r] ([N] global ids).</summary>
    Tensor Paired(Tensor hidden, Tensor items);

    /// <summary>Every row against every candidate: [N, D] × [C] global ids → [N, C].</summary>
    Tensor Against(Tensor hidden, Tensor candidates);
}

/// <summary>Dot products with an item table: s(h, i) = h · E_i. <paramref name="embed"/> maps global ids to rows of E.</summary>
public sealed class DotProductScorer(Func<Tensor, Tensor> embed) : ICandidateScorer
{
    public Tensor Paired(Tensor hidden, Tensor items) => (hidden * embed(items)).sum(-1);

    public Tensor Against(Tensor hidden, Tensor candidates) => CheckedMatmul.Product(hidden, embed(candidates).t());
}

/// <summary>
/// The next-item examples of one batch flattened to their real positions: the hidden state before each positive
/// [N, D], the positive's global id, and one sampled negative per row (for <see cref="LossKind.Bce"/> and
/// <see cref="LossKind.Bpr"/>; drawn outside the user's training history). <see cref="Pool"/> is the positives'
/// domain: the softmax of <see cref="LossKind.Ce"/> runs over it, <see cref="LossKind.SampledSoftmax"/> draws from it.
/// </summary>
public sealed record NextItemRows(Tensor Hidden, long[] Positives, long[] Negatives, int[] Pool);

/// <summary>
/// One loss family for every sequential model (<c>loss</c>, <c>loss_negatives</c>), so that a comparison between
/// models never mixes the objective with the architecture. Each model keeps its paper's objective as its default.
/// <para>Choices where the references differ, written down: <c>bce</c> is pmixer/SASRec.pytorch's (mean over the
/// positives plus mean over the negatives, not one mean over both); <c>sampled_softmax</c> shares its negatives across
/// the batch and removes accidental hits (a negative equal to the row's positive gets −∞), as TensorFlow's
/// <c>sampled_softmax_loss</c>; uniform draws need no log-Q correction. Every loss is a mean over real positions.</para>
/// </summary>
public sealed record NextItemObjective(LossKind Kind, int Negatives)
{
    public const int DefaultNegatives = 100;

    public static readonly IReadOnlyList<string> Names = ["bce", "bpr", "ce", "sampled_softmax"];

    public static LossKind Parse(string name) => name switch
    {
        "bce" => LossKind.Bce,
        "bpr" => LossKind.Bpr,
        "ce" => LossKind.Ce,
        "sampled_softmax" => LossKind.SampledSoftmax,
        _ => throw new ArgumentException($"loss: '{name}' is not one of {string.Join(", ", Names)}"),
    };

    public static string Name(LossKind kind) => Names[(int)kind];

    /// <summary>The suffix of a model trained with another objective than its own in tables: SASRec-CE.</summary>
    public static string ShortName(LossKind kind) => kind switch
    {
        LossKind.Bce => "BCE",
        LossKind.Bpr => "BPR",
        LossKind.Ce => "CE",
        _ => "SSM",
    };

    /// <summary>Scalar loss over <paramref name="rows"/>; zero when there are none. Shared negatives come from <paramref name="random"/>.</summary>
    public Tensor Loss(NextItemRows rows, ICandidateScorer scorer, Random random, Device device)
    {
        if (rows.Positives.Length == 0) return zeros(1, device: device).squeeze();
        var positives = tensor(rows.Positives, device: device);
        switch (Kind)
        {
            case LossKind.Bce:
            {
                var pos = scorer.Paired(rows.Hidden, positives);
                var neg = scorer.Paired(rows.Hidden, tensor(rows.Negatives, device: device));
                return nn.functional.binary_cross_entropy_with_logits(pos, ones_like(pos))
                    .Plus(nn.functional.binary_cross_entropy_with_logits(neg, zeros_like(neg)));
            }
            case LossKind.Bpr:
            {
                var difference = scorer.Paired(rows.Hidden, positives) - scorer.Paired(rows.Hidden, tensor(rows.Negatives, device: device));
                return -nn.functional.logsigmoid(difference).mean();
            }
            case LossKind.Ce:
            {
                var column = new Dictionary<int, long>(rows.Pool.Length);
                for (int c = 0; c < rows.Pool.Length; c++) column[rows.Pool[c]] = c;
                var labels = tensor(rows.Positives.Select(p => column.TryGetValue((int)p, out var c) ? c
                    : throw new ArgumentException($"positive item {p} is not in the softmax's domain")).ToArray(), device: device);
                return nn.functional.cross_entropy(scorer.Against(rows.Hidden, tensor(rows.Pool.Select(i => (long)i).ToArray(), device: device)), labels);
            }
            default:
            {
                var sampled = new long[Negatives];
                for (int k = 0; k < sampled.Length; k++) sampled[k] = rows.Pool[random.Next(rows.Pool.Length)];
                var candidates = tensor(sampled, device: device);
                var hits = positives.unsqueeze(1).eq(candidates.unsqueeze(0));
                var negatives = scorer.Against(rows.Hidden, candidates).masked_fill(hits, double.NegativeInfinity);
                var logits = cat([scorer.Paired(rows.Hidden, positives).unsqueeze(1), negatives], 1);
                return nn.functional.cross_entropy(logits, zeros(rows.Positives.Length, dtype: ScalarType.Int64, device: device));
            }
        }
    }

    /// <summary>
    /// The real positions of a [batch, length, D] hidden state and its next-item batch, as rows. Every positive must
    /// lie in <paramref name="pool"/>.
    /// </summary>
    public static NextItemRows Rows(Tensor hidden, NextItemBatch next, int[] pool) => Rows(hidden, next.Positives, next.Negatives, pool);

    /// <summary>As above, from one positive and one negative per slot of [batch, length] (0: padding).</summary>
    public static NextItemRows Rows(Tensor hidden, long[] positives, long[] negatives, int[] pool)
    {
        var slots = Enumerable.Range(0, positives.Length).Where(k => positives[k] != 0).Select(k => (long)k).ToArray();
        var flat = hidden.reshape(-1, hidden.shape[^1]).index_select(0, tensor(slots, device: hidden.device));
        return new NextItemRows(flat, slots.Select(k => positives[k]).ToArray(), slots.Select(k => negatives[k]).ToArray(), pool);
    }
}
