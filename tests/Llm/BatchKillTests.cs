using System.Diagnostics;
using CrossDomain.FakeServers;
using CrossDomain.Tests.Cli;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Llm;

/// <summary>
/// SIGKILL the real CLI in batch mode while the answer to its job creation is still on the wire (the job exists on
/// the server, the journal has only the uploaded file): the next runs adopt that job instead of creating another,
/// collect it, and finish with every call submitted once.
/// </summary>
public sealed class BatchKillTests
{
    [Fact]
    public async Task A_process_killed_between_upload_and_job_creation_leaves_no_duplicate_job_and_no_lost_result()
    {
        using var dir = new TempDir();
        Repo.CopyPrompts(dir);
        using var server = new FakeLlmServer(FakeLlmOracle.Answer);
        server.Batches.CreateResponseDelay = TimeSpan.FromMinutes(10); // the first creation is never answered in time
        dir.File("pipeline.yaml", SyntheticExtractPipeline.Yaml(samples: 2,
            llm: $"{{ provider: openai, model: fake, endpoint: \"{new Uri(server.BaseUri, "v1")}\", mode: batch, batch_wait_minutes: 0 }}"));
        var (process, output) = await CliProcess.StartAndWaitFor(dir.Path, "running extract", "run", "extract");
        var reached = await Task.WhenAny(server.Batches.JobCreated.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.True(reached == server.Batches.JobCreated.Task, $"no job was created:\n{output}");
        using (var kill = Process.Start("kill", ["-KILL", process.Id.ToString()])) await kill!.WaitForExitAsync();
        await process.WaitForExitAsync();
        server.Batches.CreateResponseDelay = TimeSpan.Zero;

        // Later runs: adopt the job, collect it, send the item round, collect that; exit 3 while waiting, 0 at the end.
        var codes = new List<int>();
        for (int run = 0; run < 6 && (codes.Count == 0 || codes[^1] != 0); run++)
        {
            var (code, stdout, stderr) = CliProcess.Run(dir.Path, "run", "extract");
            Assert.True(code is 0 or 3, $"run {run}: exit {code}\n{stdout}\n{stderr}");
            if (code == 3) Assert.Contains("waiting for batch jobs", stdout);
            codes.Add(code);
        }
        Assert.Equal(0, codes[^1]);
        Assert.Equal(2, server.Batches.JobsCreated);   // schema and tag lists, then the items: none twice
        Assert.Equal(2, server.Batches.Uploads);
        Assert.All(server.Batches.Submitted, s => Assert.Equal(1, s.Value));
        Assert.Equal(0, server.ChatRequests);
        var report = System.Text.Json.JsonSerializer.Deserialize<CrossDomain.Stages.Extract.ExtractReport>(
            File.ReadAllText(Path.Combine(dir.Path, "artifacts", "extract", "report.json")), CrossDomain.Stages.ReportJson.Options)!;
        Assert.Equal(0, report.ItemsFailed);
        Assert.Equal(report.Items, report.ItemsOk);
    }
}
