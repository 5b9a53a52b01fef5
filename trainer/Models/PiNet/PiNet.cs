using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models.PiNet;

/// <summary>
/// π-Net (Ma et al., "π-Net: A Parallel Information-sharing Network for Shared-Account Cross-domain Sequential
/// Recommendations", SIGIR 2019; mamuyang/PINet, PiNet.py) for one target domain: GRU encoders over the target and
/// the source sequence; over the source positions, the shared account filter (<see cref="SharedAccountFilter"/>)
/// mixes each source output with the target output at the latest earlier target item, and the cross-domain transfer
/// unit (a GRU) carries the result on; the target's next item is scored by a dense layer over [transfer state at the
/// latest source item before it ⊕ target encoder output] (prediction_A of PiNet.py, with the domains' roles as here).
/// The reference predicts both domains' next items from the last position of each training sequence; here every
/// target position predicts its next item (the encoders are recurrent, so each reads only the past), with the shared
/// loss family (softmax cross-entropy over the target items by default, as its loss). A target-domain model: one
/// instance per domain under mixed_loo. Differences: docs/models.md, "π-Net".
/// </summary>
public sealed class PiNet : RecommenderModel
{
    private readonly Embedding _items, _output, _outputBias;
    private readonly GRU _targetEncoder, _sourceEncoder, _transfer;
    private readonly SharedAccountFilter _filter;
    private readonly Dropout _dropout;
    private readonly FeatureTables _tables;
    private readonly NextItemObjective _objective;
    private readonly int _hidden, _maxLength;

    public PiNet(FeatureTables tables, TrainingConfig config) : base(nameof(PiNet))
    {
        var options = ModelCatalog.Options<PiNetOptions>(config);
        _tables = tables;
        _hidden = config.Hidden;
        _maxLength = config.MaxLength;
        _objective = ModelCatalog.Objective("pinet", config);
        int n = tables.ItemCount + 1, d = config.Hidden;
        // One table for both domains' inputs (the reference's two tables hold disjoint items); the dense layer's
        // kernel as item rows over [transfer ⊕ encoder] (2d) and its bias.
        _items = Embedding(n, d, padding_idx: 0);
        _output = Embedding(n, 2 * d, padding_idx: 0);
        _outputBias = Embedding(n, 1, padding_idx: 0);
        _targetEncoder = GRU(d, d, batchFirst: true);
        _sourceEncoder = GRU(d, d, batchFirst: true);
        _transfer = GRU(d, d, batchFirst: true);
        _filter = new SharedAccountFilter(d, options.Members);
        _dropout = Dropout(config.Dropout);
        RegisterComponents();
        using var noGrad = no_grad();
        // PiNet.py: Xavier-normal kernels and embeddings, dense bias at 0 (the filter keeps its own initialisation).
        foreach (var table in new[] { _items, _output }) init.xavier_normal_(table.weight!);
        init.zeros_(_outputBias.weight!);
        foreach (var gru in new[] { _targetEncoder, _sourceEncoder, _transfer })
            foreach (var (_, p) in gru.named_parameters())
                if (p.dim() > 1) init.xavier_normal_(p);
    }

    private bool InTarget(int item) => !_tables.IsSourceItem(item);

    private Tensor Run(GRU gru, Tensor input)
    {
        var (output, last) = gru.forward(_dropout.forward(input));
        last.Dispose();
        return _dropout.forward(output);
    }

    /// <summary>[transfer ⊕ target encoder] for every prediction row [rows, 2d].</summary>
    private Tensor Encode(PiNetInputs input, Device device)
    {
        var target = Run(_targetEncoder, _items.forward(input.Target.ToTensor(device)));   // [b, lt, d]
        var source = Run(_sourceEncoder, _items.forward(input.Source.ToTensor(device)));   // [b, ls, d]
        int b = input.Source.Batch, ls = input.Source.Length;
        var owners = Enumerable.Range(0, b * ls).Select(k => (long)(k / ls)).ToArray();
        var read = ReadRows(target, owners, input.SourceReads, device).view(b, ls, _hidden);       // [b, ls, d]
        var transferred = Run(_transfer, _filter.forward(source, read));                    // [b, ls, d]
        var fromSource = ReadRows(transferred, input.Owner, input.SourceSlot, device);
        var fromTarget = ReadRows(target, input.Owner, input.TargetSlot, device);
        return cat([fromSource, fromTarget], -1);
    }

    /// <summary>Rows of states [b, l, d] at (owner[r], slot[r]), zeros where the slot is −1.</summary>
    private static Tensor ReadRows(Tensor states, long[] owner, long[] slot, Device device)
    {
        var l = states.shape[1];
        var flat = states.reshape(-1, states.shape[^1]);
        var index = tensor(owner.Select((o, r) => slot[r] < 0 ? 0 : o * l + slot[r]).ToArray(), device: device);
        var present = tensor(slot.Select(s => s < 0 ? 0f : 1f).ToArray(), device: device).unsqueeze(1);
        return flat.index_select(0, index) * present;
    }

    public override Tensor Loss(TrainingBatch batch)
    {
        var input = PiNetInputs.ForTraining(batch.Users.Select(u => u.MixedTrain).ToList(), InTarget, _maxLength, batch.TargetNegatives);
        if (input.Rows == 0) return zeros(1, device: batch.Device).squeeze();
        var rows = NextItemObjective.Rows(Encode(input, batch.Device), input.Positives, input.Negatives, _tables.TargetItems);
        return _objective.Loss(rows, new DenseScorer(this), batch.Random, batch.Device);
    }

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var input = PiNetInputs.ForScoring(users.Select(u => split == EvalSplit.Valid ? u.MixedTrain : u.MixedTestInput).ToList(), InTarget, _maxLength);
        return CheckedMatmul.Product(Encode(input, device), _output.weight!.t()) + _outputBias.weight!.t();
    }

    /// <summary>The dense layer's logit of an item: W_i · h + b_i.</summary>
    private sealed class DenseScorer(PiNet model) : ICandidateScorer
    {
        public Tensor Paired(Tensor hidden, Tensor items) =>
            (hidden * model._output.forward(items)).sum(-1) + model._outputBias.forward(items).squeeze(-1);

        public Tensor Against(Tensor hidden, Tensor candidates) =>
            CheckedMatmul.Product(hidden, model._output.forward(candidates).t()) + model._outputBias.forward(candidates).t();
    }
}
