using CrossDomain.Engine.Run;
using CrossDomain.Pipeline.Output;
using CrossDomain.Tests.Support;
using Spectre.Console;

namespace CrossDomain.Tests.Cli;

/// <summary>What run prints: lines that fit the terminal, epoch lines in the tables' unit, a view with an ETA, a summary line.</summary>
public class RunOutputTests
{
    [Fact]
    public void Long_lines_break_at_spaces_within_the_width_and_continuations_are_indented()
    {
        var text = "seed 1 epoch 3/200 loss 1.2345 | valid full NDCG@10 4.19 HR@10 8.37 | sampled NDCG@10 12.51 HR@10 24.44 (%) *best* | 0.6 s";
        var lines = WordWrap.Lines(text, 40).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= 40, l));
        Assert.All(lines.Skip(1), l => Assert.StartsWith("  ", l));
        Assert.Equal(text, string.Join(" ", lines.Select(l => l.Trim())));
        Assert.Equal(["short"], WordWrap.Lines("short", 40));
        Assert.Equal(["a-very-long-token-that-cannot-break"], WordWrap.Lines("a-very-long-token-that-cannot-break", 10));
    }

    [Fact]
    public void The_live_view_estimates_the_time_left_and_drops_finished_bars()
    {
        Assert.Contains(RunProgressView.Columns(), c => c is RemainingTimeColumn);
        Assert.Contains(RunProgressView.Columns(), c => c is ElapsedTimeColumn);
        var view = RunProgressView.Create(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StringWriter()) }));
        Assert.True(view.HideCompleted);
    }

    [Fact]
    public async Task The_summary_line_counts_ran_and_cached_stages_and_names_the_report()
    {
        using var dir = new TempDir();
        dir.File("data/in.txt", "x");
        var h = new PipelineHarness(dir, "stages:\n  a:\n    uses: concat\n    params: { inputs: [data/in.txt] }\n  b:\n    uses: append\n    deps: [a]\n");
        Assert.True((await h.RunAsync()).Succeeded);
        var again = await h.RunAsync(new RunOptions { Targets = ["b"], Force = true });
        Assert.Equal("summary: 1 ran, 1 up to date (cached), 0 failed", CrossDomain.Pipeline.Commands.RunCommand.Summary(h.Load(), again));
    }

    [Fact]
    public void Epoch_lines_give_metrics_in_percent_like_the_test_lines()
    {
        using var dir = new TempDir();
        // The shipped pipeline, shrunk, through the real CLI.
        var yaml = File.ReadAllText(Path.Combine(Repo.Root, "pipeline.yaml"));
        Repo.CopyPrompts(dir);
        dir.File("pipeline.yaml", yaml);
        var run = CliProcess.Run(dir.Path, "--set", "defaults.train.epochs=1", "--set", "defaults.train.seeds=[1]", "--set", "defaults.negatives.seeds=[1]",
            "--set", "stages.synthesize.params.users=300", "--set", "stages.synthesize.params.items_per_domain=120",
            "--set", "defaults.sequences.min_item_interactions=3", "run", "train_gru4rec_food_to_kitchen");
        Assert.True(run.Code == 0, run.Out + run.Err);
        var epoch = run.Out.Split('\n').Single(l => l.StartsWith("seed 1 epoch 1/1"));
        var test = run.Out.Split('\n').First(l => l.Contains("test (full)"));
        Assert.Matches(@"valid full NDCG@10 \d+\.\d\d HR@10 \d+\.\d\d \| sampled NDCG@10 \d+\.\d\d HR@10 \d+\.\d\d \(%\)", epoch);
        Assert.EndsWith("(%)", test.Trim());
        Assert.Matches(@"^summary: \d+ ran, 0 up to date \(cached\), 0 failed$", run.Out.Trim().Split('\n').Last());
    }
}
