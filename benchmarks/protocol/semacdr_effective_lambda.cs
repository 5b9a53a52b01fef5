// SemaCDR's losses are means (BPR over the batch's target positions, each InfoNCE term over the batch's items of
// one domain), where Eqs. 3, 13 and 14 sum. Dividing the paper's summed loss by the number of positions P gives
// mean BPR + λ_paper · Σ_terms (n_term / P) · mean_term, so our λ equals the paper's λ times n / P per term.
// This prints P and the item counts per batch on a features folder, and that ratio.
// Run: dotnet run benchmarks/protocol/semacdr_effective_lambda.cs -- artifacts/food-kitchen/features_food_to_kitchen [batch_size] [max_len]
#:project ../../trainer/CrossDomain.Trainer.csproj
#:property PublishAot=false
using CrossDomain.Trainer.Data;

var folder = args.Length > 0 ? args[0] : "artifacts/food-kitchen/features_food_to_kitchen";
int batchSize = args.Length > 1 ? int.Parse(args[1]) : 256, maxLength = args.Length > 2 ? int.Parse(args[2]) : 100;
var tables = await FeatureTables.LoadAsync(folder);
var isSource = new bool[tables.ItemCount + 1];
foreach (var i in tables.SourceItems) isSource[i] = true;
var labelled = tables.Items.Select(i => i.Labels.Length > 0).ToArray();
var described = tables.Items.Select(i => i.DescriptionEmbedding.Any(x => x != 0)).ToArray();
static IEnumerable<int> Last(int[] s, int n) => s.Skip(Math.Max(0, s.Length - n));
var rows = new List<(double P, double T1, double S1, double T2, double S2)>();
var users = tables.Users.ToList();
for (int start = 0; start < users.Count; start += batchSize)
{
    var batch = users.Skip(start).Take(batchSize).ToList();
    // As CrossDomainInput.ForTraining: the target input is target_train without its last item, every slot a position.
    double positions = batch.Sum(u => Math.Min(maxLength, Math.Max(0, u.TargetTrain.Length - 1)));
    var items = batch.SelectMany(u => Last(u.TargetTrain[..Math.Max(0, u.TargetTrain.Length - 1)], maxLength)
            .Concat(Last(u.SourceTrain, maxLength)).Concat(Last(u.MixedTrain, maxLength)).Concat(Last(u.TargetTrain, maxLength)))
        .Where(i => i > 0 && i < labelled.Length && labelled[i]).Distinct().ToList();
    int t1 = items.Count(i => !isSource[i]), s1 = items.Count(i => isSource[i]);
    int t2 = items.Count(i => !isSource[i] && described[i]), s2 = items.Count(i => isSource[i] && described[i]);
    rows.Add((positions, t1, s1, t2, s2));
}
double Mean(Func<(double P, double T1, double S1, double T2, double S2), double> f) => rows.Average(f);
Console.WriteLine($"{folder}: {rows.Count} batches of {batchSize} users, max_len {maxLength}");
Console.WriteLine($"mean target positions P per batch: {Mean(r => r.P):F0}");
Console.WriteLine($"mean items per InfoNCE term: L_c1 target {Mean(r => r.T1):F0}, source {Mean(r => r.S1):F0}; L_c2 target {Mean(r => r.T2):F0}, source {Mean(r => r.S2):F0}");
Console.WriteLine($"n / P per term: {Mean(r => r.T1 / r.P):F2}, {Mean(r => r.S1 / r.P):F2}, {Mean(r => r.T2 / r.P):F2}, {Mean(r => r.S2 / r.P):F2}");
Console.WriteLine($"λ = 0.1 here weighs each term like a summed λ of 0.1 · P / n ≈ {0.1 / Mean(r => r.T1 / r.P):F3} (target) and {0.1 / Mean(r => r.S1 / r.P):F3} (source) in the paper's Eq. 14;");
Console.WriteLine($"the paper's λ = 0.1 over sums is an effective λ here of about {0.1 * Mean(r => r.T1 / r.P):F3} (target) and {0.1 * Mean(r => r.S1 / r.P):F3} (source) per term.");
