using CrossDomain.Trainer.Data;
using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>A target-domain model under mixed_loo: the role-exchanged tables and one instance per domain.</summary>
[Collection("torch")]
public sealed class DomainTowersTests
{
    [Fact]
    public void With_the_roles_exchanged_the_source_part_is_the_target_sequence_and_the_flags_flip()
    {
        var tables = MixedTables.Create();
        var view = tables.PredictingDomain("source");
        Assert.Same(tables, tables.PredictingDomain("target"));
        Assert.Equal(tables.SourceItems, view.TargetItems);
        Assert.Equal(tables.TargetItems, view.SourceItems);
        Assert.True(view.IsSourceItem(tables.TargetItems[0]));

        // Items 1..5 are source items: x1 y6 x2 y7 | valid x3, test y8.
        var u = MixedTables.User(0, 1, 6, 2, 7, 3, 8);
        var x = FeatureTables.WithRolesExchanged(u);
        Assert.Equal([1, 2], x.TargetTrain);
        Assert.Equal([6, 7], x.SourceTrain);
        Assert.Equal([1, 2, 3], x.TargetTestInput);
        Assert.Equal(u.SourceTrainTimestamps, x.TargetTrainTimestamps);
        Assert.Equal(u.MixedTrain, x.MixedTrain);
        Assert.Equal([1, 0, 1, 0], x.MixedTrainDomains);
        Assert.Equal((u.ValidItem, u.TestItem), (x.ValidItem, x.TestItem));
        Assert.Throws<ArgumentException>(() => tables.PredictingDomain("food"));
    }

    [Fact]
    public void Each_domains_items_are_scored_by_the_instance_that_predicts_that_domain()
    {
        TorchNativeLoader.EnsureLoaded();
        var tables = MixedTables.Create();
        var config = new TrainingConfig { Model = "tricdr", Hidden = 8, Heads = 1, Blocks = 1, Dropout = 0.1, MaxLength = 5 };
        manual_seed(11);
        var instances = new List<RecommenderModel>();
        using var towers = new DomainTowers(tables, view =>
        {
            var m = new CrossDomain.Trainer.Models.TriCdr.TriCdr(view, config);
            instances.Add(m);
            return m;
        });
        towers.eval();
        using var noGrad = no_grad();
        var users = tables.Users;
        var together = towers.Score(users, EvalSplit.Test, CPU);
        var target = instances[0].Score(users, EvalSplit.Test, CPU);
        var source = instances[1].Score(users.Select(FeatureTables.WithRolesExchanged).ToList(), EvalSplit.Test, CPU);
        Tensor Columns(Tensor scores, int[] items) => scores.index_select(1, tensor(items.Select(i => (long)i).ToArray()));
        Assert.True(Columns(together, tables.TargetItems).eq(Columns(target, tables.TargetItems)).all().item<bool>());
        Assert.True(Columns(together, tables.SourceItems).eq(Columns(source, tables.SourceItems)).all().item<bool>());
        // The two instances are different models: their scores of the same columns differ.
        Assert.False(Columns(target, tables.SourceItems).eq(Columns(source, tables.SourceItems)).all().item<bool>());
        // Under mixed_loo the catalog builds these for every target-domain model.
        using var semacdr = ModelCatalog.Create("semacdr", tables, new TrainingConfig { Model = "semacdr", Hidden = 8, MaxLength = 5 });
        Assert.IsType<DomainTowers>(semacdr);
    }
}
