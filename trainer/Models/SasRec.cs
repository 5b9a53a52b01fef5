using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models;

/// <summary>
/// SASRec (Kang and McAuley, ICDM 2018) on the target-domain sequence, as in the authors' code: item embeddings
/// scaled by √d into a <see cref="CausalTransformer"/>, scores as dot products with the same item table, Xavier-normal
/// initialisation, and the original objective: at every position the next item is the positive and one uniformly
/// drawn item outside the user's training history the negative, binary cross-entropy on both logits, padding ignored.
/// </summary>
public sealed class SasRec : RecommenderModel
{
    private readonly Embedding _items;
    private readonly CausalTransformer _encoder;
    private readonly int _hidden, _maxLength;

    public SasRec(int items, TrainingConfig config) : base(nameof(SasRec))
    {
        _hidden = config.Hidden;
        _maxLength = config.MaxLength;
        _items = Embedding(items + 1, config.Hidden, padding_idx: 0);
        _encoder = new CausalTransformer(config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength);
        RegisterComponents();
        XavierInit.Apply(this);
    }

    /// <summary>The item table [items + 1, hidden], shared by input and output.</summary>
    public Tensor ItemEmbeddings => _items.weight!;

    /// <summary>Hidden state at every position [batch, length, hidden].</summary>
    public Tensor Encode(PaddedSequences input, Device device)
    {
        var ids = input.ToTensor(device);
        return _encoder.forward(_items.forward(ids).Times(Math.Sqrt(_hidden)), ids.ne(KeptScalars.Zero), input.PositionOffset);
    }

    public override Tensor Loss(TrainingBatch batch)
    {
        var next = NextItemBatch.From(batch.Users.Select(u => u.TargetTrain).ToList(), _maxLength, Padding.Left, batch.TargetNegatives);
        var hidden = Encode(next.Input, batch.Device);
        var shape = new long[] { next.Input.Batch, next.Input.Length };
        var pos = tensor(next.Positives, shape, device: batch.Device);
        var neg = tensor(next.Negatives, shape, device: batch.Device);
        var mask = pos.ne(KeptScalars.Zero);
        var posLogits = (hidden * _items.forward(pos)).sum(-1)[mask];
        var negLogits = (hidden * _items.forward(neg)).sum(-1)[mask];
        return functional.binary_cross_entropy_with_logits(posLogits, ones_like(posLogits))
               .Plus(functional.binary_cross_entropy_with_logits(negLogits, zeros_like(negLogits)));
    }

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var input = PaddedSequences.From(users.Select(u => TargetInput(u, split)).ToList(), _maxLength, Padding.Left);
        var last = Encode(input, device)[.., -1, ..];
        return CheckedMatmul.Product(last, ItemEmbeddings.t());
    }
}

/// <summary>Xavier-normal initialisation of every weight matrix (embeddings included), as SASRec's authors do.</summary>
public static class XavierInit
{
    public static void Apply(Module module)
    {
        using var noGrad = no_grad();
        foreach (var (_, parameter) in module.named_parameters())
            if (parameter.dim() > 1) init.xavier_normal_(parameter);
    }
}
