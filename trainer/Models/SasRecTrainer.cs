using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossDomain.Trainer.Models;

/// <summary>Optimisation settings (Adam as in SASRec's code: β = (0.9, 0.98)).</summary>
public sealed record TrainConfig(int Epochs = 20, int BatchSize = 256, double LearningRate = 1e-3, int Seed = 42);

/// <summary>
/// Trains <see cref="SasRec"/> on the target-domain training histories with the original objective: at every
/// position the next item is the positive and one uniformly drawn item outside the user's target history the
/// negative, binary cross-entropy on their dot-product logits, padding positions ignored. Each batch runs in its
/// own dispose scope. Also the model's scorer for <see cref="RankingEvaluator"/>: the last position's hidden state
/// against every item embedding.
/// </summary>
public sealed class SasRecTrainer : IRecommenderScorer, IDisposable
{
    private readonly FeatureTables _tables;
    private readonly EncoderConfig _config;
    private readonly TrainConfig _train;
    private readonly Random _rng;

    public SasRec Model { get; }
    public string Name => "SASRec";

    public SasRecTrainer(FeatureTables tables, EncoderConfig config, TrainConfig train)
    {
        _tables = tables;
        _config = config;
        _train = train;
        _rng = new Random(train.Seed);
        torch.manual_seed(train.Seed);
        Model = new SasRec(config);
    }

    /// <summary>One pass over the users in a seeded random order; returns the mean loss.</summary>
    public double TrainEpoch(TorchSharp.Modules.Adam optimizer)
    {
        Model.train();
        var users = _tables.Users.Where(u => u.TargetTrain.Length > 1).OrderBy(_ => _rng.Next()).ToList();
        double total = 0;
        int batches = 0;
        foreach (var chunk in users.Chunk(_train.BatchSize))
        {
            using var scope = NewDisposeScope();
            int b = chunk.Length, l = _config.MaxLength;
            var input = new long[b * l];
            var positive = new long[b * l];
            var negative = new long[b * l];
            for (int i = 0; i < b; i++)
            {
                var seq = chunk[i].TargetTrain;
                var history = seq.ToHashSet();
                var n = Math.Min(l, seq.Length - 1);
                for (int k = 0; k < n; k++)
                {
                    int at = i * l + (l - n + k); // left padding
                    input[at] = seq[seq.Length - 1 - n + k];
                    positive[at] = seq[seq.Length - n + k];
                    negative[at] = SampleNegative(history);
                }
            }
            var x = tensor(input, [b, l]);
            var pos = tensor(positive, [b, l]);
            var neg = tensor(negative, [b, l]);
            var hidden = Model.forward(x);
            var e = Model.ItemEmbeddings;
            var posLogits = (hidden * e[pos]).sum(-1);
            var negLogits = (hidden * e[neg]).sum(-1);
            var mask = pos.ne(0);
            var loss = nn.functional.binary_cross_entropy_with_logits(posLogits[mask], ones_like(posLogits[mask]))
                       + nn.functional.binary_cross_entropy_with_logits(negLogits[mask], zeros_like(negLogits[mask]));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            total += loss.item<float>();
            batches++;
        }
        return batches == 0 ? 0 : total / batches;
    }

    public TorchSharp.Modules.Adam CreateOptimizer() => optim.Adam(Model.parameters(), _train.LearningRate, 0.9, 0.98);

    private long SampleNegative(HashSet<int> history)
    {
        var items = _tables.TargetItems;
        while (true)
        {
            var candidate = items[_rng.Next(items.Length)];
            if (!history.Contains(candidate)) return candidate;
        }
    }

    public void ScoreAll(IReadOnlyList<FeatureTables.UserRow> users, EvalSplit split, float[][] scores)
    {
        Model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int b = users.Count, l = _config.MaxLength;
        var input = new long[b * l];
        for (int i = 0; i < b; i++)
        {
            var seq = split == EvalSplit.Valid ? users[i].TargetTrain : users[i].TargetTestInput; // never the item being predicted
            var n = Math.Min(l, seq.Length);
            for (int k = 0; k < n; k++) input[i * l + (l - n + k)] = seq[seq.Length - n + k];
        }
        var hidden = Model.forward(tensor(input, [b, l]))[.., -1, ..];
        var all = matmul(hidden, Model.ItemEmbeddings.t()).to_type(ScalarType.Float32).data<float>().ToArray();
        int width = _tables.ItemCount + 1;
        for (int i = 0; i < b; i++) Array.Copy(all, i * width, scores[i], 0, width);
    }

    public void Dispose() => Model.Dispose();
}
