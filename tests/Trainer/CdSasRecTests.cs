using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>CD-SASRec reads the user's earlier source items, and only those.</summary>
[Collection("torch")]
public sealed class CdSasRecTests
{
    [Fact]
    public void Scores_change_with_the_source_items_before_the_case_and_not_with_one_on_its_day()
    {
        TorchNativeLoader.EnsureLoaded();
        manual_seed(4);
        var tables = TinyTables.Create();
        using var model = ModelCatalog.Create("cdsasrec", tables, new TrainingConfig { Model = "cdsasrec", Hidden = 8, Dropout = 0, MaxLength = 5 });
        model.eval();
        float[] Scores(CrossDomain.Trainer.Data.FeatureTables.UserRow u)
        {
            using var noGrad = no_grad();
            return model.Score([u], EvalSplit.Test, CPU).data<float>().ToArray();
        }
        var user = TinyTables.User(0, [1, 2], [6, 7, 8], 9, 10);
        var otherSource = TinyTables.User(0, [3, 4], [6, 7, 8], 9, 10);
        Assert.NotEqual(Scores(user), Scores(otherSource));

        // A source interaction on the test day (not strictly before it) is not read.
        var sameDay = TinyTables.User(0, [1, 2], [6, 7, 8], 9, 10);
        sameDay.SourceTestInput = [1, 2, 5];
        sameDay.SourceTestInputTimestamps = [.. sameDay.SourceTestInputTimestamps, sameDay.TestTimestamp];
        Assert.Equal(Scores(user), Scores(sameDay));
    }
}
