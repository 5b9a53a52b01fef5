using System.Text.RegularExpressions;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Cli;

/// <summary>
/// Every command of the README's tour runs as written, on a copy of the shipped pipeline.yaml whose only change is a
/// training budget of one epoch: after a first <c>run all</c>, each fenced command exits 0 and prints what the
/// README says it shows.
/// </summary>
[Collection("torch")]
public class ReadmeTourTests
{
    private const string Launcher = "dotnet run --project pipeline --";

    public static IReadOnlyList<string> TourCommands()
    {
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));
        var tour = Regex.Match(readme, @"## A tour of the outputs\s+```bash\n(?<block>.*?)```", RegexOptions.Singleline);
        Assert.True(tour.Success, "README.md has no fenced bash block under \"## A tour of the outputs\"");
        return tour.Groups["block"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => Regex.Replace(l, @"\s+#.*$", "").Trim()).Where(l => l.Length > 0).ToList();
    }

    /// <summary>Splits a command line as a POSIX shell would for the plain words and commas the README uses.</summary>
    private static string[] Words(string command)
    {
        Assert.StartsWith(Launcher + " ", command);
        Assert.DoesNotMatch(@"[""'$`|&;<>\\]", command); // nothing a shell would interpret differently
        return command[Launcher.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void Each_command_of_the_readme_tour_works_as_written_after_a_first_run()
    {
        var commands = TourCommands();
        Assert.True(commands.Count >= 4, string.Join("\n", commands));
        using var dir = new TempDir();
        Repo.CopyPrompts(dir);
        var yaml = File.ReadAllText(Path.Combine(Repo.Root, "pipeline.yaml"));
        Assert.Contains("\n    epochs: 20\n", yaml);
        dir.File("pipeline.yaml", yaml.Replace("\n    epochs: 20\n", "\n    epochs: 1\n"));
        var first = CliProcess.Run(dir.Path, "run", "all");
        Assert.True(first.Code == 0, first.Out + first.Err);

        foreach (var command in commands)
        {
            var (code, stdout, stderr) = CliProcess.Run(dir.Path, Words(command));
            Assert.True(code == 0, $"{command}: exit {code}\n{stdout}\n{stderr}");
            var verb = Words(command)[0];
            switch (verb)
            {
                case "run": Assert.Contains("summary: 0 ran,", stdout); break;
                case "status": Assert.Contains("fresh", stdout); Assert.DoesNotContain("stale", stdout); break;
                case "inspect": Assert.Contains("rows", stdout); break;
                case "report": Assert.Contains("results.md", stdout); Assert.Contains("report.md", stdout); break;
            }
        }
    }
}
