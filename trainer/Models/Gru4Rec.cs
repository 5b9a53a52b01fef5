using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models;

/// <summary>Which reference GRU4Rec's layers follow.</summary>
public enum Gru4RecLayout
{
    /// <summary>RecBole's: item embedding over every item, a GRU, a dense layer back to the embedding space, dot-product scores, Xavier.</summary>
    Recbole,
    /// <summary>
    /// hidasib/GRU4Rec_PyTorch_Official's default (<c>constrained_embedding=True</c>): one table W_y over the target
    /// items is both the input embedding and the output, no dense layer, an output bias b_y per item, each GRU gate's
    /// matrix and W_y Glorot-uniform and the biases zero (its <c>compatibility_mode</c> initialisation), dropout after
    /// the GRU (<c>hidden_dropout</c>).
    /// </summary>
    Official,
}

/// <summary>GRU4Rec's switches (model_params); the defaults are the toolkit's shipped GRU4Rec.</summary>
public sealed record Gru4RecOptions : IModelOptions
{
    /// <summary><c>layout</c>: recbole or official.</summary>
    public Gru4RecLayout Layout { get; init; } = Gru4RecLayout.Recbole;
    /// <summary><c>gru_layers</c>: stacked GRU layers (RecBole's and the official default: 1).</summary>
    public int GruLayers { get; init; } = 1;
    /// <summary><c>hidden_dropout</c>: dropout on the GRU's output (the official <c>dropout_p_hidden</c>); <c>dropout</c> is the embedding's.</summary>
    public double HiddenDropout { get; init; }

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (GruLayers < 1) yield return ("gru_layers", $"must be >= 1, got {GruLayers}");
        if (HiddenDropout is < 0 or >= 1) yield return ("hidden_dropout", $"must be in [0, 1), got {HiddenDropout}");
    }
}

/// <summary>
/// GRU4Rec (Hidasi et al., ICLR 2016) on the target-domain sequence, in one of two layouts (<see cref="Gru4RecLayout"/>):
/// RecBole's (shipped) or the official PyTorch code's. Trained by default with BPR at every position against one
/// sampled negative (<c>loss: bpr</c>); <c>loss: ce</c> is the official code's cross-entropy with every target item as
/// a negative. The official session-parallel mini-batches (one step of back-propagation through time, hidden states
/// carried across batches) do not apply to user-level leave-one-out splits: every position of a user's sequence is
/// trained at once here. Sequences are right-padded so that padding never enters a real state.
/// </summary>
public sealed class Gru4Rec : RecommenderModel
{
    private readonly Embedding _items;
    private readonly Embedding? _bias;     // official: b_y
    private readonly Dropout _dropout, _hiddenDropout;
    private readonly GRU _gru;
    private readonly Linear? _dense;       // recbole only
    private readonly TargetItemRows? _row; // official: the table holds target items only
    private readonly int _maxLength;
    private readonly int[] _targetItems; // the items it predicts among: the target domain, or both under mixed_loo
    private readonly FeatureTables _tables;
    private readonly NextItemObjective _objective;

    public Gru4RecOptions Options { get; }

    public Gru4Rec(FeatureTables tables, TrainingConfig config) : base(nameof(Gru4Rec))
    {
        Options = ModelCatalog.Options<Gru4RecOptions>(config);
        _maxLength = config.MaxLength;
        _tables = tables;
        _targetItems = tables.SequenceItems;
        _objective = ModelCatalog.Objective("gru4rec", config);
        var official = Options.Layout == Gru4RecLayout.Official;
        if (official)
        {
            _row = new TargetItemRows(_targetItems, tables.ItemCount);
            _bias = Embedding(_targetItems.Length + 1, 1, padding_idx: 0);
        }
        _items = Embedding((official ? _targetItems.Length : tables.ItemCount) + 1, config.Hidden, padding_idx: 0);
        _dropout = Dropout(config.Dropout);
        _hiddenDropout = Dropout(Options.HiddenDropout);
        _gru = GRU(config.Hidden, config.Hidden, numLayers: Options.GruLayers, batchFirst: true);
        if (!official) _dense = Linear(config.Hidden, config.Hidden);
        RegisterComponents();
        using var noGrad = no_grad();
        if (official)
        {
            init.xavier_uniform_(_items.weight!);
            init.zeros_(_bias!.weight!);
            var h = config.Hidden;
            foreach (var (name, p) in _gru.named_parameters())
                if (p.dim() > 1)
                    for (int gate = 0; gate < 3; gate++) init.xavier_uniform_(p.narrow(0, gate * h, h)); // one Glorot matrix per gate
                else init.zeros_(p);
        }
        else
        {
            init.xavier_normal_(_items.weight!);
            foreach (var (_, p) in _gru.named_parameters())
                if (p.dim() > 1) init.xavier_uniform_(p);
        }
    }

    /// <summary>The item table (official: target items only, row 0 padding).</summary>
    public Tensor ItemEmbeddings => _items.weight!;

    private Tensor Rows(Tensor ids) => _row is null ? ids : _row.Of(ids);

    private Tensor Encode(PaddedSequences input, Device device)
    {
        var ids = input.ToTensor(device);
        var (output, hN) = _gru.forward(_dropout.forward(_items.forward(Rows(ids))));
        hN.Dispose();
        if (Options.HiddenDropout > 0) output = _hiddenDropout.forward(output); // skipped at 0: no draw, so the shipped layout's random stream is as before
        return _dense is null ? output : _dense.forward(output);
    }

    public override Tensor Loss(TrainingBatch batch)
    {
        var next = NextItemBatch.From(batch.Users.Select(_tables.SequenceTrain).ToList(), _maxLength, Padding.Right, batch.TargetNegatives);
        var rows = NextItemObjective.Rows(Encode(next.Input, batch.Device), next, _targetItems);
        return _objective.Loss(rows, new ItemScorer(this), batch.Random, batch.Device);
    }

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var input = PaddedSequences.From(users.Select(u => _tables.SequenceInput(u, split)).ToList(), _maxLength, Padding.Right);
        var hidden = Encode(input, device);
        var lastIndex = tensor(input.Lengths.Select(l => (long)Math.Max(0, l - 1)).ToArray(), device: device);
        var last = hidden[KeptScalars.Arange(0, input.Batch, device), lastIndex];
        if (_row is null) return CheckedMatmul.Product(last, _items.weight!.t());
        // Global columns: each item's row of the target-only table (source items and padding read row 0, never a candidate).
        var rows = _row.All(device);
        return CheckedMatmul.Product(last, _items.forward(rows).t()) + _bias!.forward(rows).t();
    }

    /// <summary>s(h, i) = h · W_y,i (+ b_y,i in the official layout).</summary>
    private sealed class ItemScorer(Gru4Rec model) : ICandidateScorer
    {
        public Tensor Paired(Tensor hidden, Tensor items)
        {
            var rows = model.Rows(items);
            var s = (hidden * model._items.forward(rows)).sum(-1);
            return model._bias is null ? s : s + model._bias.forward(rows).squeeze(-1);
        }

        public Tensor Against(Tensor hidden, Tensor candidates)
        {
            var rows = model.Rows(candidates);
            var s = CheckedMatmul.Product(hidden, model._items.forward(rows).t());
            return model._bias is null ? s : s + model._bias.forward(rows).t();
        }
    }
}
