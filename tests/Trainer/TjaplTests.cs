using CrossDomain.Trainer.Evaluation;
using CrossDomain.Trainer.Models;
using CrossDomain.Trainer.Torch;
using CrossDomain.Trainer.Training;
using static TorchSharp.torch;

namespace CrossDomain.Tests.Trainer;

/// <summary>TJAPL's two cross-domain modules: each reads the source domain only through its own path, and only the past.</summary>
[Collection("torch")]
public sealed class TjaplTests
{
    private static Func<CrossDomain.Trainer.Data.FeatureTables.UserRow, float[]> Scorer(bool userApl, bool localApl, out RecommenderModel model)
    {
        TorchNativeLoader.EnsureLoaded();
        manual_seed(4);
        var config = new TrainingConfig
        {
            Model = "tjapl", Hidden = 8, Dropout = 0, MaxLength = 6,
            ModelParams = new Dictionary<string, string> { ["user_apl"] = userApl ? "true" : "false", ["local_apl"] = localApl ? "true" : "false" },
        };
        var m = ModelCatalog.Create("tjapl", TinyTables.Create(), config);
        m.eval();
        model = m;
        return u =>
        {
            using var noGrad = no_grad();
            return m.Score([u], EvalSplit.Test, CPU).data<float>().ToArray();
        };
    }

    private static readonly CrossDomain.Trainer.Data.FeatureTables.UserRow User = TinyTables.User(0, [1, 2], [6, 7, 8], 9, 10);
    private static readonly CrossDomain.Trainer.Data.FeatureTables.UserRow OtherSource = TinyTables.User(0, [3, 4], [6, 7, 8], 9, 10);

    [Fact]
    public void Without_its_cross_domain_modules_it_reads_the_target_sequence_only_and_has_no_source_or_merged_encoder()
    {
        var scores = Scorer(userApl: false, localApl: false, out var model);
        using (model)
        {
            Assert.Equal(scores(User), scores(OtherSource));
            var full = Scorer(userApl: true, localApl: true, out var fullModel);
            using (fullModel)
                // The full model has two more encoders and the transfer attention.
                Assert.True(fullModel.parameters().Sum(p => p.numel()) > model.parameters().Sum(p => p.numel()) * 2);
        }
    }

    [Fact]
    public void Cross_domain_user_apl_reads_the_earlier_source_items_and_not_one_on_the_day_of_the_case()
    {
        var scores = Scorer(userApl: true, localApl: false, out var model);
        using (model)
        {
            Assert.NotEqual(scores(User), scores(OtherSource));
            // Two users whose third source interaction falls on the test day, a different item each: it is masked out,
            // and the encoder's states of the earlier two are causal, so the scores agree. (Its mere presence shifts
            // the window's positions, as SASRec's left padding does; docs/models.md, TJAPL.)
            CrossDomain.Trainer.Data.FeatureTables.UserRow SameDay(int item)
            {
                var u = TinyTables.User(0, [1, 2], [6, 7, 8], 9, 10);
                u.SourceTestInput = [1, 2, item];
                u.SourceTestInputTimestamps = [.. u.SourceTestInputTimestamps, u.TestTimestamp];
                return u;
            }
            Assert.Equal(scores(SameDay(5)), scores(SameDay(4)));
            // The same third item a day earlier is read.
            var earlier = SameDay(5);
            earlier.SourceTestInputTimestamps = [.. earlier.SourceTestInputTimestamps[..2], earlier.TestTimestamp - 86_400];
            Assert.NotEqual(scores(earlier), scores(SameDay(4)));
        }
    }

    [Fact]
    public void Cross_domain_local_apl_reads_the_merged_sequence()
    {
        var scores = Scorer(userApl: false, localApl: true, out var model);
        using (model)
        {
            Assert.NotEqual(scores(User), scores(OtherSource));
            // The source sequence alone (the merged one unchanged) does not reach this path.
            var sourceOnly = TinyTables.User(0, [1, 2], [6, 7, 8], 9, 10);
            sourceOnly.SourceTestInput = [3, 4];
            Assert.Equal(scores(User), scores(sourceOnly));
        }
    }
}
