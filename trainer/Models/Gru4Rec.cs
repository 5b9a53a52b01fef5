using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models;

/// <summary>
/// GRU4Rec (Hidasi et al., ICLR 2016) on the target-domain sequence, in the form sequential-recommendation
/// benchmarks use (RecBole's): item embedding, embedding dropout, a GRU (<c>model_params.gru_layers</c> layers, default 1 as in RecBole; <c>blocks</c> is the Transformers'), a dense layer to the
/// embedding space, scores as dot products with the item table. Trained by default with BPR at every position against
/// one sampled negative (<c>loss: bpr</c>; RecBole's default is <c>ce</c>, the official code's cross-entropy over the
/// mini-batch's items) (the original session-parallel mini-batches with in-batch negatives do not apply to
/// user-level leave-one-out splits). Sequences are right-padded so that padding never enters a real state.
/// </summary>
public sealed class Gru4Rec : RecommenderModel
{
    private readonly Embedding _items;
    private readonly Dropout _dropout;
    private readonly GRU _gru;
    private readonly Linear _dense;
    private readonly int _maxLength;
    private readonly int[] _targetItems;
    private readonly NextItemObjective _objective;

    public Gru4Rec(FeatureTables tables, TrainingConfig config) : base(nameof(Gru4Rec))
    {
        _maxLength = config.MaxLength;
        _targetItems = tables.TargetItems;
        _objective = NextItemObjective.From(config);
        _items = Embedding(tables.ItemCount + 1, config.Hidden, padding_idx: 0);
        _dropout = Dropout(config.Dropout);
        _gru = GRU(config.Hidden, config.Hidden, numLayers: (int)config.Param("gru_layers", 1), batchFirst: true);
        _dense = Linear(config.Hidden, config.Hidden);
        RegisterComponents();
        using var noGrad = no_grad();
        init.xavier_normal_(_items.weight!);
        foreach (var (_, p) in _gru.named_parameters())
            if (p.dim() > 1) init.xavier_uniform_(p);
    }

    private Tensor Encode(PaddedSequences input, Device device)
    {
        var ids = input.ToTensor(device);
        var (output, hN) = _gru.forward(_dropout.forward(_items.forward(ids)));
        hN.Dispose();
        return _dense.forward(output);
    }

    public override Tensor Loss(TrainingBatch batch)
    {
        var next = NextItemBatch.From(batch.Users.Select(u => u.TargetTrain).ToList(), _maxLength, Padding.Right, batch.TargetNegatives);
        var rows = NextItemObjective.Rows(Encode(next.Input, batch.Device), next, _targetItems);
        return _objective.Loss(rows, new DotProductScorer(_items.forward), batch.Random, batch.Device);
    }

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var input = PaddedSequences.From(users.Select(u => TargetInput(u, split)).ToList(), _maxLength, Padding.Right);
        var hidden = Encode(input, device);
        var lastIndex = tensor(input.Lengths.Select(l => (long)Math.Max(0, l - 1)).ToArray(), device: device);
        var last = hidden[KeptScalars.Arange(0, input.Batch, device), lastIndex];
        return CheckedMatmul.Product(last, _items.weight!.t());
    }
}
