using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models.Layers;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CrossDomain.Trainer.Models;

/// <summary>Which items SASRec's embedding table holds.</summary>
public enum ItemTable
{
    /// <summary>Every item index of the features (both domains; the source rows are never trained).</summary>
    All,
    /// <summary>Target-domain items only, as a single-domain reference trained on the target data has them (the table's size enters its Xavier initialisation).</summary>
    Target,
}

/// <summary>SASRec's switches (model_params), each with its source; the defaults are the toolkit's shipped SASRec.</summary>
public sealed record SasRecOptions : IModelOptions
{
    /// <summary><c>norm</c>: pre_2018 (the 2018 TensorFlow code), post (pmixer/SASRec.pytorch's default) or pre (its norm_first).</summary>
    public BlockNorm Norm { get; init; } = BlockNorm.Pre2018;
    /// <summary><c>pad_mask</c>: mask padding keys and zero padded positions (RecBole); false: the causal mask only (pmixer/SASRec.pytorch).</summary>
    public bool PadMask { get; init; } = true;
    /// <summary><c>item_table</c>: all or target.</summary>
    public ItemTable ItemTable { get; init; } = ItemTable.All;
}

/// <summary>
/// SASRec (Kang and McAuley, ICDM 2018) on the target-domain sequence, as in the authors' code: item embeddings
/// scaled by √d into a <see cref="CausalTransformer"/>, scores as dot products with the same item table, Xavier-normal
/// initialisation, and by default the original objective: at every position the next item is the positive and one
/// uniformly drawn item outside the user's training history the negative, binary cross-entropy on both logits, padding
/// ignored (<c>loss: bce</c>; any <see cref="LossKind"/> can replace it).
/// <see cref="SasRecOptions"/> switch the block layout, the padding mask and the item table to other references' choices.
/// </summary>
public sealed class SasRec : RecommenderModel
{
    private readonly Embedding _items;
    private readonly CausalTransformer _encoder;
    private readonly int _hidden, _maxLength, _scoredRows;
    // Global item index -> row of the item table (identity for ItemTable.All; non-target items map to the padding row).
    private readonly TargetItemRows? _row;

    private readonly int[] _targetItems; // the items it predicts among: the target domain, or both under mixed_loo
    private readonly FeatureTables _tables;
    private readonly NextItemObjective _objective;

    public SasRec(FeatureTables tables, TrainingConfig config)
        : this(tables, config, ModelCatalog.Options<SasRecOptions>(config), ModelCatalog.Objective("sasrec", config), extraTokens: 0) { }

    /// <summary>SASRec inside another model (CL4SRec): its options and objective given, not read from the config.</summary>
    /// <param name="extraTokens">Rows after the items' (CL4SRec's mask token is row ItemCount + 1): never scored or drawn.</param>
    internal SasRec(FeatureTables tables, TrainingConfig config, SasRecOptions options, NextItemObjective objective, int extraTokens) : base(nameof(SasRec))
    {
        _hidden = config.Hidden;
        _maxLength = config.MaxLength;
        _tables = tables;
        _targetItems = tables.SequenceItems;
        _objective = objective;
        var targetOnly = options.ItemTable == ItemTable.Target;
        if (targetOnly && extraTokens > 0) throw new ArgumentException("model_params.item_table: target cannot hold extra tokens");
        if (targetOnly) _row = new TargetItemRows(_targetItems, tables.ItemCount);
        _scoredRows = (targetOnly ? _targetItems.Length : tables.ItemCount) + 1;
        _items = Embedding(_scoredRows + extraTokens, config.Hidden, padding_idx: 0);
        _encoder = new CausalTransformer(config.Hidden, config.Heads, config.Blocks, config.Dropout, config.MaxLength, options.Norm, options.PadMask);
        RegisterComponents();
        XavierInit.Apply(this);
    }

    /// <summary>The item table [rows, hidden], shared by input and output.</summary>
    public Tensor ItemEmbeddings => _items.weight!;

    private Tensor Rows(Tensor globalIds) => _row is null ? globalIds : _row.Of(globalIds);

    /// <summary>Hidden state at every position [batch, length, hidden].</summary>
    public Tensor Encode(PaddedSequences input, Device device)
    {
        var ids = input.ToTensor(device);
        return _encoder.forward(_items.forward(Rows(ids)).Times(Math.Sqrt(_hidden)), ids.ne(KeptScalars.Zero), input.PositionOffset);
    }

    public override Tensor Loss(TrainingBatch batch)
    {
        var next = NextItemBatch.From(batch.Users.Select(_tables.SequenceTrain).ToList(), _maxLength, Padding.Left, batch.TargetNegatives);
        var rows = NextItemObjective.Rows(Encode(next.Input, batch.Device), next, _targetItems);
        return _objective.Loss(rows, new DotProductScorer(ids => _items.forward(Rows(ids))), batch.Random, batch.Device);
    }

    public override Tensor Score(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, Device device)
    {
        var input = PaddedSequences.From(users.Select(u => _tables.SequenceInput(u, split)).ToList(), _maxLength, Padding.Left);
        var last = Encode(input, device)[.., -1, ..];
        var scores = CheckedMatmul.Product(last, ItemEmbeddings[..(int)_scoredRows].t());
        // Back to global item columns; a non-target column gets the padding row's score, and the evaluator never ranks it.
        return _row is null ? scores : scores.index_select(1, _row.All(scores.device));
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
