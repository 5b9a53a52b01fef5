using CrossDomain.Engine.Stages;
using CrossDomain.Stages.Train;
using CrossDomain.Tests.Support;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Tests.Trainer;

/// <summary>summary.json is the train stage's typed contract: what it writes, evaluate and report read back.</summary>
public class TrainSummaryTests
{
    [Fact]
    public void A_summary_round_trips_with_snake_case_names_and_a_broken_one_names_its_file()
    {
        using var dir = new TempDir();
        var summary = new TrainSummary
        {
            Model = "SemaCDR", Direction = "food→kitchen", Device = "cpu", Loss = "bpr", Synthetic = true, SameDaySourceTestItems = 3, TestUsers = 10,
            Config = new TrainingConfig { Model = "semacdr", Seeds = [1, 2], Patience = 5, ModelParams = new Dictionary<string, string> { ["scale_inputs"] = "true" } },
            Seeds = [new TrainSummary.SeedSummary(1, 4, 9, true, 1.5, new Dictionary<string, double> { ["HR@10"] = 0.25 },
                new Dictionary<string, double> { ["HR@10"] = 0.5 }, new Dictionary<string, double>())],
            TestFull = new Dictionary<string, TrainSummary.MeanStd> { ["HR@10"] = new(0.25, 0) },
        };
        var json = summary.ToJson();
        Assert.Contains("\"same_day_source_test_items\": 3", json);
        Assert.Contains("\"best_epoch\": 4", json);
        Assert.Contains("\"HR@10\": {", json); // metric names are kept as they are
        var path = dir.File("summary.json", json);
        var back = TrainSummary.Load(path);
        Assert.Equal((summary.Model, summary.Direction, summary.Loss, summary.TestUsers), (back.Model, back.Direction, back.Loss, back.TestUsers));
        Assert.Equal((5, "true"), (back.Config!.Patience, back.Config.ModelParams["scale_inputs"]));
        Assert.Equal(0.5, back.Seeds.Single().TestSampled["HR@10"]);
        Assert.Equal(json, back.ToJson());

        var broken = dir.File("broken.json", "{ \"model\": ");
        Assert.Contains(broken, Assert.Throws<StageException>(() => TrainSummary.Load(broken)).Message);
    }
}
