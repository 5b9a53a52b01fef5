using CrossDomain.Trainer.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.Layers;

/// <summary>
/// SASRec's encoder (Kang and McAuley 2018, as in the authors' code): learned positions added to the input,
/// dropout, padding zeroed, then blocks of [pre-norm causal self-attention whose residual is the normalised input
/// (Q = LN(x); x = Q + MHA(Q, x, x)), point-wise feed-forward with residual], padding zeroed after each block, and a
/// final layer norm. Position t attends to positions ≤ t only. Padding keys are masked too (RecBole does; the
/// authors' code lets real positions attend to zeroed padding, which makes results depend on how much padding a
/// batch has). SemaCDR's source, target and mixed encoders are this module over their own item embeddings.
/// </summary>
public sealed class CausalTransformer : Module<Tensor, Tensor, int, Tensor>
{
    private readonly Embedding _positions;
    private readonly Dropout _dropout;
    private readonly ModuleList<TransformerBlock> _blocks;
    private readonly LayerNorm _last;
    private readonly bool _padMask;

    /// <param name="norm">Where the layer norms sit (<see cref="BlockNorm"/>); SASRec's 2018 arrangement by default.</param>
    /// <param name="padMask">Mask padding keys and zero padded positions after each block (RecBole); false: the causal mask
    /// only, padding zeroed at the input alone (pmixer/SASRec.pytorch).</param>
    public CausalTransformer(int hidden, int heads, int blocks, double dropout, int maxLength, BlockNorm norm = BlockNorm.Pre2018, bool padMask = true)
        : base(nameof(CausalTransformer))
    {
        _padMask = padMask;
        _positions = Embedding(maxLength, hidden);
        _dropout = Dropout(dropout);
        _blocks = new ModuleList<TransformerBlock>(Enumerable.Range(0, blocks).Select(_ => new TransformerBlock(hidden, heads, dropout, norm)).ToArray());
        _last = LayerNorm(hidden, eps: 1e-8);
        RegisterComponents();
    }

    /// <param name="x">Input embeddings [batch, length, hidden] (already scaled as the caller wants).</param>
    /// <param name="keep">[batch, length] bool, true at real (non-padding) positions.</param>
    /// <param name="positionOffset">Index of the first column's position (left padding trimmed from the front).</param>
    public override Tensor forward(Tensor x, Tensor keep, int positionOffset)
    {
        var length = x.shape[1];
        return Encode(x.Plus(_positions.forward(KeptScalars.Arange(positionOffset, positionOffset + length, x.device)).unsqueeze(0)), keep);
    }

    /// <summary>As <see cref="forward"/>, with each position's index given ([batch, length], below max length): C2DSR numbers a domain sequence's items 1, 2, … wherever they sit.</summary>
    public Tensor ForwardAt(Tensor x, Tensor keep, Tensor positions) => Encode(x.Plus(_positions.forward(positions)), keep);

    private Tensor Encode(Tensor x, Tensor keep)
    {
        x = _dropout.forward(x);
        var keepF = keep.unsqueeze(-1).to_type(x.dtype);
        x = x * keepF;
        var forbidden = _padMask ? AttentionMask.Causal(keep) : AttentionMask.FutureOnly(keep);
        foreach (var block in _blocks)
            x = _padMask ? block.forward(x, x, forbidden) * keepF : block.forward(x, x, forbidden);
        return _last.forward(x);
    }
}

/// <summary>Attention masks: true where attention is forbidden.</summary>
public static class AttentionMask
{
    /// <summary>[batch, 1, length, length]: no future position and no padding key, but every query may see itself (so no row is empty).</summary>
    public static Tensor Causal(Tensor keep)
    {
        var length = keep.shape[1];
        var future = ones(length, length, dtype: ScalarType.Bool, device: keep.device).triu(1);
        var paddingKey = keep.logical_not().unsqueeze(1).unsqueeze(1);                 // [b, 1, 1, l]
        var self = eye(length, dtype: ScalarType.Bool, device: keep.device);
        return future.logical_or(paddingKey.logical_and(self.logical_not()));
    }

    /// <summary>[length, length]: the causal mask alone (pmixer/SASRec.pytorch): padding keys stay visible.</summary>
    public static Tensor FutureOnly(Tensor keep)
    {
        var length = keep.shape[1];
        return ones(length, length, dtype: ScalarType.Bool, device: keep.device).triu(1);
    }
}

/// <summary>Where a block's layer norms sit.</summary>
public enum BlockNorm
{
    /// <summary>SASRec's 2018 code: Q = LN(x); x = Q + MHA(Q, x, x); y = LN(x); out = y + FFN(y).</summary>
    Pre2018,
    /// <summary>Post-norm (pmixer/SASRec.pytorch's default, norm_first false): x = LN(x + MHA(x)); out = LN(x + FFN(x)).</summary>
    Post,
    /// <summary>Pre-norm on the residual stream (norm_first true): x = x + MHA(LN(x)); out = x + FFN(LN(x)).</summary>
    Pre,
}

/// <summary>One block: pre-norm multi-head attention (queries from <c>query</c>, keys and values from <c>context</c>) and a point-wise feed-forward network.</summary>
public sealed class TransformerBlock : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly LayerNorm _attentionNorm, _feedForwardNorm;
    private readonly MultiHeadAttention _attention;
    private readonly Linear _inner, _outer;
    private readonly Dropout _feedForwardDropout;
    private readonly BlockNorm _norm;

    public TransformerBlock(int hidden, int heads, double dropout, BlockNorm norm = BlockNorm.Pre2018) : base(nameof(TransformerBlock))
    {
        _norm = norm;
        _attentionNorm = LayerNorm(hidden, eps: 1e-8);
        _feedForwardNorm = LayerNorm(hidden, eps: 1e-8);
        _attention = new MultiHeadAttention(hidden, heads, dropout);
        _inner = Linear(hidden, hidden);
        _outer = Linear(hidden, hidden);
        _feedForwardDropout = Dropout(dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor query, Tensor context, Tensor forbidden)
    {
        switch (_norm)
        {
            case BlockNorm.Post:
            {
                var x = _attentionNorm.forward(query.Plus(_attention.forward(query, context, forbidden)));
                return _feedForwardNorm.forward(x.Plus(FeedForward(x)));
            }
            case BlockNorm.Pre:
            {
                var q = _attentionNorm.forward(query);
                var kv = ReferenceEquals(query, context) ? q : context;
                var x = query.Plus(_attention.forward(q, kv, forbidden));
                return x.Plus(FeedForward(_feedForwardNorm.forward(x)));
            }
            default:
            {
                var q = _attentionNorm.forward(query);
                // Self-attention (query == context) attends over the raw input, as SASRec does; cross-attention over the context.
                var x = q.Plus(_attention.forward(q, context, forbidden));
                var y = _feedForwardNorm.forward(x);
                return y.Plus(FeedForward(y));
            }
        }
    }

    private Tensor FeedForward(Tensor y) =>
        _feedForwardDropout.forward(_outer.forward(_feedForwardDropout.forward(functional.relu(_inner.forward(y)))));
}

/// <summary>Scaled dot-product multi-head attention with a boolean "forbidden" mask.</summary>
public sealed class MultiHeadAttention : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Linear _query, _key, _value, _output;
    private readonly Dropout _dropout;
    private readonly int _heads;

    public MultiHeadAttention(int hidden, int heads, double dropout) : base(nameof(MultiHeadAttention))
    {
        _heads = heads;
        _query = Linear(hidden, hidden);
        _key = Linear(hidden, hidden);
        _value = Linear(hidden, hidden);
        _output = Linear(hidden, hidden);
        _dropout = Dropout(dropout);
        RegisterComponents();
    }

    /// <param name="forbidden">Broadcastable to [batch, heads, query length, key length]; true where attention is not allowed.</param>
    public override Tensor forward(Tensor query, Tensor context, Tensor forbidden)
    {
        long b = query.shape[0], lq = query.shape[1], lk = context.shape[1], d = query.shape[2], dh = d / _heads;
        var q = _query.forward(query).view(b, lq, _heads, dh).transpose(1, 2);
        var k = _key.forward(context).view(b, lk, _heads, dh).transpose(1, 2);
        var v = _value.forward(context).view(b, lk, _heads, dh).transpose(1, 2);
        var scores = CheckedMatmul.Product(q, k.transpose(-2, -1)).Over(Math.Sqrt(dh));
        // where() with a 0-dim tensor, not masked_fill with a temporary Scalar (see KeptScalars).
        var minusInfinity = tensor(float.NegativeInfinity, dtype: scores.dtype, device: scores.device);
        scores = where(forbidden, minusInfinity, scores);
        // A query with every key forbidden (possible in cross-attention) gets zero context instead of NaN.
        var weights = functional.softmax(scores, -1).nan_to_num(0.0);
        var context2 = CheckedMatmul.Product(_dropout.forward(weights), v).transpose(1, 2).contiguous().view(b, lq, d);
        return _output.forward(context2);
    }
}
