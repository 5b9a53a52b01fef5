using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models;

/// <summary>Shared configuration of the sequence encoders (SemaCDR's setup: hidden 64, 1 head, 2 blocks, dropout 0.5, length 100).</summary>
public sealed record EncoderConfig(int Items, int Hidden = 64, int Heads = 1, int Blocks = 2, double Dropout = 0.5, int MaxLength = 100);

/// <summary>
/// SASRec (Kang and McAuley, ICDM 2018) as in the authors' code: item embeddings scaled by √d plus learned
/// positions, dropout, then blocks of [pre-norm causal self-attention whose residual is the normalised input
/// (Q = LN(x); x = Q + MHA(Q, x, x)), point-wise feed-forward with residual], padding positions zeroed after each
/// block, and a final layer norm. Input: item indices [batch, length], left-padded with 0. Output: the hidden
/// state at every position [batch, length, hidden]; position t sees only positions ≤ t.
/// </summary>
public sealed class SasRec : Module<Tensor, Tensor>
{
    private readonly Embedding _items;
    private readonly Embedding _positions;
    private readonly Dropout _dropout;
    private readonly ModuleList<SasRecBlock> _blocks;
    private readonly LayerNorm _last;
    private readonly EncoderConfig _config;

    public SasRec(EncoderConfig config) : base(nameof(SasRec))
    {
        _config = config;
        _items = Embedding(config.Items + 1, config.Hidden, padding_idx: 0);
        _positions = Embedding(config.MaxLength, config.Hidden);
        _dropout = Dropout(config.Dropout);
        _blocks = new ModuleList<SasRecBlock>(Enumerable.Range(0, config.Blocks).Select(_ => new SasRecBlock(config)).ToArray());
        _last = LayerNorm(config.Hidden, eps: 1e-8);
        RegisterComponents();
        // The authors' code re-initialises every weight matrix with Xavier-normal (embeddings included).
        using (no_grad())
            foreach (var (_, parameter) in named_parameters())
                if (parameter.dim() > 1) init.xavier_normal_(parameter);
    }

    /// <summary>The item embedding table [items + 1, hidden], shared between input and output (scores are dot products).</summary>
    public Tensor ItemEmbeddings => _items.weight!;

    public override Tensor forward(Tensor sequence)
    {
        var length = sequence.shape[1];
        var x = _items.forward(sequence) * Math.Sqrt(_config.Hidden);
        x = x + _positions.forward(arange(length, device: sequence.device)).unsqueeze(0);
        x = _dropout.forward(x);
        var keep = sequence.ne(0).unsqueeze(-1).to_type(x.dtype);
        x = x * keep;
        var causal = ones(length, length, dtype: ScalarType.Bool, device: sequence.device).triu(1); // true where attention is forbidden
        foreach (var block in _blocks)
            x = block.Forward(x, causal) * keep;
        return _last.forward(x);
    }
}

/// <summary>One SASRec block: causal multi-head self-attention and a point-wise feed-forward network.</summary>
public sealed class SasRecBlock : Module
{
    private readonly LayerNorm _attentionNorm, _feedForwardNorm;
    private readonly Linear _query, _key, _value, _output, _inner, _outer;
    private readonly Dropout _attentionDropout, _feedForwardDropout;
    private readonly int _heads;

    public SasRecBlock(EncoderConfig c) : base(nameof(SasRecBlock))
    {
        _heads = c.Heads;
        _attentionNorm = LayerNorm(c.Hidden, eps: 1e-8);
        _feedForwardNorm = LayerNorm(c.Hidden, eps: 1e-8);
        _query = Linear(c.Hidden, c.Hidden);
        _key = Linear(c.Hidden, c.Hidden);
        _value = Linear(c.Hidden, c.Hidden);
        _output = Linear(c.Hidden, c.Hidden);
        _inner = Linear(c.Hidden, c.Hidden);
        _outer = Linear(c.Hidden, c.Hidden);
        _attentionDropout = Dropout(c.Dropout);
        _feedForwardDropout = Dropout(c.Dropout);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor causal)
    {
        var q = _attentionNorm.forward(x);
        x = q + Attention(q, x, causal);
        var y = _feedForwardNorm.forward(x);
        var h = _feedForwardDropout.forward(_outer.forward(_feedForwardDropout.forward(functional.relu(_inner.forward(y)))));
        return y + h;
    }

    private Tensor Attention(Tensor queryInput, Tensor keyInput, Tensor causal)
    {
        long b = queryInput.shape[0], l = queryInput.shape[1], d = queryInput.shape[2], dh = d / _heads;
        Tensor Split(Tensor t) => t.view(b, l, _heads, dh).transpose(1, 2); // [b, heads, l, dh]
        var q = Split(_query.forward(queryInput));
        var k = Split(_key.forward(keyInput));
        var v = Split(_value.forward(keyInput));
        var scores = matmul(q, k.transpose(-2, -1)) / Math.Sqrt(dh);
        scores = scores.masked_fill(causal, float.NegativeInfinity);
        var weights = _attentionDropout.forward(functional.softmax(scores, -1));
        var context = matmul(weights, v).transpose(1, 2).contiguous().view(b, l, d);
        return _output.forward(context);
    }
}
