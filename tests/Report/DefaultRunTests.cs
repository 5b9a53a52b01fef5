using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CrossDomain.Engine.Artifacts;
using CrossDomain.Engine.Run;
using CrossDomain.Stages.Sequences;
using CrossDomain.Stages.Evaluate;
using CrossDomain.Stages.Train;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Report;

/// <summary>
/// The shipped default pipeline run once, with short training (2 epochs, seeds 1 and 2), through the report; the
/// evaluate and report tests read its artifacts.
/// </summary>
public sealed class ShortDefaultRun : IAsyncLifetime
{
    public static readonly string[] Overrides = ["defaults.train.epochs=2", "defaults.train.seeds=[1, 2]", "defaults.negatives.seeds=[1, 2]"];
    public TempDir Dir { get; } = new();
    public string Artifacts => Path.Combine(Dir.Path, "artifacts");

    public async Task InitializeAsync() => await DefaultPipeline.RunAsync(Dir, ["report"], Overrides);

    public Task DisposeAsync()
    {
        Dir.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The negatives, train, evaluate and report stages of the shipped default pipeline on one short run.</summary>
[Collection("torch")]
public sealed class DefaultRunTests(ShortDefaultRun run) : IClassFixture<ShortDefaultRun>
{
    [Fact]
    public async Task Evaluate_collects_every_model_and_direction_into_parquet_and_a_table_1_markdown()
    {
        var artifacts = run.Artifacts;
        var rows = await ParquetArtifact.ReadAsync<ResultRow>(Path.Combine(artifacts, "evaluate", "results.parquet"));
        // 6 models × 2 directions × 2 seeds × 2 splits × 2 protocols × 8 metrics
        Assert.Equal(6 * 2 * 2 * 2 * 2 * 8, rows.Count);
        Assert.Equal(["GRU4Rec", "Popularity", "SASRec", "SASRec-CE", "SemaCDR", "TEMA-LLM"], rows.Select(r => r.Model).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["food→kitchen", "kitchen→food"], rows.Select(r => r.Direction).Distinct().Order());
        var summary = await ParquetArtifact.ReadAsync<EvaluateStage.SummaryRow>(Path.Combine(artifacts, "evaluate", "summary.parquet"));
        var sasrecHr = rows.Where(r => r.Model == "SASRec" && r.Direction == "food→kitchen" && r.Split == "test" && r.Protocol == "full" && r.Metric == "HR@10").Select(r => r.Value).ToList();
        var line = summary.Single(s => s.Model == "SASRec" && s.Direction == "food→kitchen" && s.Split == "test" && s.Protocol == "full" && s.Metric == "HR@10");
        Assert.Equal(2, line.Seeds);
        Assert.Equal(sasrecHr.Average(), line.Mean, 12);

        var md = File.ReadAllText(Path.Combine(artifacts, "evaluate", "results.md"));
        Assert.Contains("| model | food→kitchen N@5 | food→kitchen N@10 | food→kitchen HR@5 | food→kitchen HR@10 | kitchen→food N@5", md);
        Assert.Contains("not an LLM", md);
        Assert.Contains("synthetic", md);
        var popularityFull = rows.Where(r => r.Model == "Popularity" && r.Direction == "food→kitchen" && r.Split == "test" && r.Protocol == "full" && r.Metric == "HR@10").Select(r => r.Value * 100).ToList();
        Assert.Contains($"| Popularity | ", md);
        Assert.Contains(CrossDomain.Trainer.Evaluation.SeedStatistics.Format(popularityFull), md);
        // Every train stage says how its checkpoint was chosen (the shipped protocol) and whom it scored.
        Assert.Contains("| train_sasrec_food_to_kitchen | bce | validation full NDCG@10, every 1 epoch(s), at most 2 | 5 epochs without a better validation, not before epoch 12 | every user |", md);
        Assert.Contains("| train_popularity_food_to_kitchen | | fixed ranker: no checkpoint | | |", md);

        // The same-day note: test items on the day of a source interaction in their inputs (source_first), counted from the features.
        var tables = await CrossDomain.Trainer.Data.FeatureTables.LoadAsync(Path.Combine(artifacts, "features_food_to_kitchen"));
        var sameDay = tables.Users.Count(u => u.SourceTestInputTimestamps.Contains(u.TestTimestamp));
        Assert.True(sameDay > 0); // the generator puts about one interaction in three on its predecessor's day
        Assert.Contains($"food→kitchen: {sameDay:N0} of {tables.Users.Count:N0} test items", md);

        // Training artifacts: best and last checkpoints per seed, a history row per epoch, the work folder gone.
        foreach (var seed in new[] { 1, 2 })
            foreach (var which in new[] { "best", "last" })
                Assert.True(File.Exists(Path.Combine(artifacts, "train_sasrec_food_to_kitchen", "checkpoints", $"seed_{seed}", which, "model.dat")));
        var history = await ParquetArtifact.ReadAsync<HistoryRow>(Path.Combine(artifacts, "train_gru4rec_kitchen_to_food", "history.parquet"));
        Assert.Equal(4, history.Count);
        Assert.All(history, h => Assert.NotNull(h.ValidFullNdcg10));
        Assert.False(Directory.Exists(Path.Combine(artifacts, ".cache", "train", "train_sasrec_food_to_kitchen")) &&
                     Directory.EnumerateFileSystemEntries(Path.Combine(artifacts, ".cache", "train", "train_sasrec_food_to_kitchen")).Any());

        // summary.json carries each seed's learned weights: SemaCDR's fusion weights (trained away from 1/3), none for SASRec.
        static JsonElement Seeds(string file) => JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("seeds");
        var semaSeeds = Seeds(Path.Combine(artifacts, "train_semacdr_food_to_kitchen", "summary.json"));
        Assert.Equal(2, semaSeeds.GetArrayLength());
        foreach (var seed in semaSeeds.EnumerateArray())
        {
            var weights = seed.GetProperty("learned_weights");
            Assert.Equal(["fusion_alpha", "fusion_beta", "fusion_gamma"], weights.EnumerateObject().Select(p => p.Name));
            Assert.NotEqual(1.0 / 3, weights.GetProperty("fusion_alpha").GetDouble(), 6);
        }
        Assert.All(Seeds(Path.Combine(artifacts, "train_sasrec_food_to_kitchen", "summary.json")).EnumerateArray(),
            seed => Assert.Empty(seed.GetProperty("learned_weights").EnumerateObject()));
    }


    private string ReportFile(string name) => Path.Combine(run.Artifacts, "report", name);

    /// <summary>Width and height from a PNG's IHDR chunk; fails unless the file starts with the PNG signature and IHDR.</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        var b = File.ReadAllBytes(path);
        Assert.True(b.Length > 33, $"{path}: too short for a PNG");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, b[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(b, 12, 4));
        static int BigEndian(byte[] x, int o) => (x[o] << 24) | (x[o + 1] << 16) | (x[o + 2] << 8) | x[o + 3];
        return (BigEndian(b, 16), BigEndian(b, 20));
    }

    [Fact]
    public async Task Train_writes_the_item_representations_of_a_model_that_exposes_them_and_an_empty_table_otherwise()
    {
        var features = Path.Combine(run.Artifacts, "features_food_to_kitchen");
        var tables = await CrossDomain.Trainer.Data.FeatureTables.LoadAsync(Path.Combine(features, "items.parquet"),
            Path.Combine(features, "users.parquet"), Path.Combine(features, "manifest.json"));
        var stage = Path.Combine(run.Artifacts, "train_semacdr_food_to_kitchen");
        var rows = await ParquetArtifact.ReadAsync<ItemRepresentationRow>(Path.Combine(stage, "item_representations.parquet"));
        Assert.Equal(2 * tables.ItemCount, rows.Count);
        Assert.Equal([1, 2], rows.Select(r => r.Seed).Distinct().Order());
        Assert.All(rows, r => Assert.Equal(64, r.Vector.Length));
        var source = tables.SourceItems.ToHashSet();
        Assert.All(rows, r => Assert.Equal(source.Contains(r.ItemIdx) ? ("source", "food") : ("target", "kitchen"), (r.Role, r.Domain)));
        // The rows are the model's own h^S / h^T at seed 1's best checkpoint (what the report projects, without rebuilding the model).
        var config = TrainSummary.Load(Path.Combine(stage, "summary.json")).Config!;
        CrossDomain.Trainer.Torch.TorchNativeLoader.EnsureLoaded();
        using (var scope = TorchSharp.torch.NewDisposeScope())
        {
            using var model = CrossDomain.Trainer.Models.ModelCatalog.Create(config.Model, tables, config);
            CrossDomain.Trainer.Training.Checkpoint.LoadWeights(Path.Combine(stage, "checkpoints", "seed_1", "best"), model);
            model.eval();
            var reps = ((CrossDomain.Trainer.Models.IItemRepresentations)model).ItemRepresentations(TorchSharp.torch.CPU);
            foreach (var item in new[] { 1, tables.ItemCount / 2, tables.ItemCount })
                Assert.Equal(reps[item].data<float>().ToArray(), rows.Single(r => r.Seed == 1 && r.ItemIdx == item).Vector);
        }
        // SASRec exposes none: the table is there, with no rows.
        Assert.Empty(await ParquetArtifact.ReadAsync<ItemRepresentationRow>(Path.Combine(run.Artifacts, "train_sasrec_food_to_kitchen", "item_representations.parquet")));
    }

    [Fact]
    public void Report_is_one_self_contained_html_and_a_markdown_file_with_every_figure_beside_it()
    {
        var html = File.ReadAllText(ReportFile("index.html"));
        var md = File.ReadAllText(ReportFile("report.md"));
        var pngs = Directory.GetFiles(ReportFile("figures"), "*.png").Order(StringComparer.Ordinal).ToList();
        // 8 label categories, the tag chart, 10 training-curve figures (popularity has none), 2 result charts, 1 projection.
        Assert.Equal(8 + 1 + 10 + 2 + 1, pngs.Count);
        foreach (var png in pngs)
        {
            var name = Path.GetFileName(png);
            // One 800 × 450 panel, or two side by side (label histograms: all items and one user; curves: loss and
            // validation; results: sampled and full). The default pipeline has no w/o DomAgnSem run: one projection panel.
            var panels = name.StartsWith("tags") || name.StartsWith("embeddings") ? 1 : 2;
            Assert.Equal((800 * panels, 450), PngSize(png));
            Assert.Contains($"](figures/{name})", md);
            Assert.Contains(Convert.ToBase64String(File.ReadAllBytes(png)), html);
        }
        Assert.Equal(pngs.Count, Regex.Matches(html, "src=\"data:image/png;base64,").Count);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("<script", html);
        foreach (var heading in new[] { "## Datasets", "## Extraction", "## Results", "## Training curves", "## Item embeddings after graph learning" })
            Assert.Contains(heading, md);
        Assert.Contains("offline extractor, not an LLM", md);
        Assert.Contains("not LLM output", md);
        Assert.Contains("synthetic", md);
        // The papers' Food-Kitchen numbers belong to the real pair, not to its synthetic stand-in.
        Assert.DoesNotContain("Zhang et al., SemaCDR, WWW 2026, Table 1", md);
        Assert.DoesNotContain("What the papers report", md);
    }

    [Fact]
    public async Task Report_tables_hold_the_evaluated_numbers_with_the_best_bold_the_second_underlined_and_the_relative_improvement()
    {
        var inv = CultureInfo.InvariantCulture;
        var html = File.ReadAllText(ReportFile("index.html"));
        var md = File.ReadAllText(ReportFile("report.md"));
        var summary = await ParquetArtifact.ReadAsync<EvaluateStage.SummaryRow>(Path.Combine(run.Artifacts, "evaluate", "summary.parquet"));
        var column = summary.Where(s => s.Direction == "food→kitchen" && s.Split == "test" && s.Protocol == "sampled" && s.Metric == "NDCG@10")
            .OrderByDescending(s => s.Mean).ToList();
        string Cell(EvaluateStage.SummaryRow s) => $"{(s.Mean * 100).ToString("F2", inv)} ± {(s.Std * 100).ToString("F2", inv)}";
        Assert.Equal(6, column.Count);
        Assert.Contains($"<strong>{Cell(column[0])}</strong>", html);
        Assert.Contains($"**{Cell(column[0])}**", md);
        if (Cell(column[1]) != Cell(column[0])) Assert.Contains($"<u>{Cell(column[1])}</u>", html);
        foreach (var s in column.Skip(2)) Assert.Contains($"| {Cell(s)} |", md);

        // RelaImpr of SemaCDR over the strongest baseline, sampled food→kitchen NDCG@10 (the second metric column).
        var best = column.Where(s => s.Model is "Popularity" or "SASRec" or "SASRec-CE" or "GRU4Rec").Max(s => s.Mean);
        var sema = column.Single(s => s.Model == "SemaCDR").Mean;
        var line = md.Split('\n').First(l => l.StartsWith("| RelaImpr of SemaCDR (%) |"));
        Assert.Equal(((sema - best) / best * 100).ToString("+0.0;-0.0;0.0", inv), line.Split('|', StringSplitOptions.TrimEntries)[3]);

        // The dataset table repeats the sequences stage's statistics.
        var stats = System.Text.Json.JsonSerializer.Deserialize<SequenceStats>(File.ReadAllText(Path.Combine(run.Artifacts, "food_to_kitchen", "stats.json")),
            new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower })!;
        foreach (var d in stats.Domains)
            Assert.Contains($"| {d.Domain} | food→kitchen | {d.Role} | {d.OverlappedUsers.ToString("N0", inv)} | {d.Items.ToString("N0", inv)} | " +
                            $"{d.Interactions.ToString("N0", inv)} | {d.AvgLength.ToString("F2", inv)} |", md);
    }

    [Fact]
    public void The_html_opens_in_headless_chromium_and_the_screenshot_is_not_blank()
    {
        var chromium = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(name => Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null)
            ?? throw new InvalidOperationException("Chromium is not installed; .ci/run installs it (apt-get install chromium)");
        using var profile = new TempDir();
        var shot = Path.Combine(profile.Path, "shot.png");
        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={Path.Combine(profile.Path, "user")}",
                     "--window-size=1280,1600", $"--screenshot={shot}", new Uri(ReportFile("index.html")).AbsoluteUri })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) { process.Kill(entireProcessTree: true); Assert.Fail("chromium did not finish in 120 s"); }
        Assert.True(File.Exists(shot), $"no screenshot; chromium exited {process.ExitCode}: {stderr.Result}");
        Assert.Equal((1280, 1600), PngSize(shot));
        using var bitmap = SkiaSharp.SKBitmap.Decode(shot);
        var colours = new HashSet<uint>();
        int inked = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
            for (int x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                colours.Add((uint)c);
                if (c.Red < 200 || c.Green < 200 || c.Blue < 200) inked++;
            }
        // Text, table borders and the first figures: far from a blank white page.
        Assert.True(inked > bitmap.Width * bitmap.Height / 4 / 100, $"only {inked} dark pixels");
        Assert.True(colours.Count > 20, $"only {colours.Count} colours");
    }

    [Fact]
    public async Task The_report_is_regenerated_only_when_an_input_changes()
    {
        var harness = new PipelineHarness(run.Dir, File.ReadAllText(Path.Combine(run.Dir.Path, "pipeline.yaml")));
        var again = await harness.RunAsync(new RunOptions { Targets = ["report"] }, ShortDefaultRun.Overrides);
        Assert.All(again.Stages, s => Assert.Equal(StageOutcome.UpToDate, s.Outcome));
        var retitled = await harness.RunAsync(new RunOptions { Targets = ["report"] }, [.. ShortDefaultRun.Overrides, "stages.report.params.title=Another title"]);
        Assert.Equal(StageOutcome.Ran, retitled.Stages.Single(s => s.Stage == "report").Outcome);
        Assert.All(retitled.Stages.Where(s => s.Stage != "report"), s => Assert.Equal(StageOutcome.UpToDate, s.Outcome));
        Assert.Contains("# Another title", File.ReadAllText(ReportFile("report.md")));
    }

    [Fact]
    public async Task Export_copies_the_fresh_results_pages_byte_for_byte_with_their_provenance_and_the_pages_regenerate_identically()
    {
        var harness = new PipelineHarness(run.Dir, File.ReadAllText(Path.Combine(run.Dir.Path, "pipeline.yaml")));
        await harness.RunAsync(new RunOptions { Targets = ["report"] }, ShortDefaultRun.Overrides); // another test may have retitled it
        using var docs = new TempDir();
        var target = Path.Combine(docs.Path, "results", "short");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "stale-page.md"), "from an older export"); // replaced with the folder
        var provenance = new CrossDomain.Stages.Report.ResultsExport.Provenance("abc123", "test machine", new DateTimeOffset(2026, 12, 5, 3, 0, 0, TimeSpan.Zero));
        var result = CrossDomain.Stages.Report.ResultsExport.Write(harness.Load(ShortDefaultRun.Overrides), harness.Status(ShortDefaultRun.Overrides), target, [], provenance);

        Assert.Empty(result.LeftOut);
        Assert.False(File.Exists(Path.Combine(target, "stale-page.md")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(run.Artifacts, "evaluate", "results.md")), File.ReadAllBytes(Path.Combine(target, "evaluate", "results.md")));
        Assert.Equal(File.ReadAllBytes(ReportFile("report.md")), File.ReadAllBytes(Path.Combine(target, "report", "report.md")));
        var figures = Directory.GetFiles(ReportFile("figures")).Select(Path.GetFileName).Order().ToList();
        Assert.NotEmpty(figures);
        Assert.Equal(figures, Directory.GetFiles(Path.Combine(target, "report", "figures")).Select(Path.GetFileName).Order());
        // Every figure report.md links to is in the export.
        foreach (Match link in Regex.Matches(File.ReadAllText(Path.Combine(target, "report", "report.md")), @"\]\((figures/[^)]+)\)"))
            Assert.True(File.Exists(Path.Combine(target, "report", link.Groups[1].Value)), link.Groups[1].Value);
        var readme = File.ReadAllText(Path.Combine(target, "README.md"));
        Assert.Contains("- Commit: abc123", readme);
        Assert.Contains("- Machine: test machine", readme);
        Assert.Contains("- Exported: 2026-12-05 03:00 UTC", readme);
        Assert.Contains($"| evaluate | evaluate | [evaluate/results.md](evaluate/results.md) | `{harness.Status("evaluate", ShortDefaultRun.Overrides).Fingerprint}` |", readme);
        // The lock entries that produced the pages: the exported stages and all their upstream, as the run left them.
        var pipeline = harness.Load(ShortDefaultRun.Overrides);
        var exportedLock = CrossDomain.Engine.Lock.LockFile.Load(Path.Combine(target, "pipeline.lock"));
        Assert.Equal(pipeline.WithUpstream(pipeline.Stages.Where(CrossDomain.Stages.Report.ResultsExport.IsPageStage).Select(s => s.Name)).Select(s => s.Name).Order(StringComparer.Ordinal),
            exportedLock.Stages.Keys);
        Assert.Contains("ingest", exportedLock.Stages.Keys);
        Assert.Equal(CrossDomain.Engine.Lock.LockFile.Open(pipeline).Stages["evaluate"].Fingerprint, exportedLock.Stages["evaluate"].Fingerprint);

        // The generator reproduces the page: evaluate rerun from the train stages' artifacts writes the same bytes,
        // so the report downstream stays fresh.
        var rerun = await harness.RunAsync(new RunOptions { Targets = ["evaluate"], Force = true }, ShortDefaultRun.Overrides);
        Assert.Equal(StageOutcome.Ran, rerun.Stages.Single(s => s.Stage == "evaluate").Outcome);
        Assert.Equal(File.ReadAllBytes(Path.Combine(target, "evaluate", "results.md")), File.ReadAllBytes(Path.Combine(run.Artifacts, "evaluate", "results.md")));
        Assert.Equal(StageState.Fresh, harness.Status("report", ShortDefaultRun.Overrides).State);

        // A page that no longer matches the pipeline is never exported: named, it is an error; by default it is left out.
        string[] retitled = [.. ShortDefaultRun.Overrides, "stages.report.params.title=Not run yet"];
        var stale = Assert.Throws<InvalidOperationException>(() => CrossDomain.Stages.Report.ResultsExport.Write(
            harness.Load(retitled), harness.Status(retitled), Path.Combine(docs.Path, "other"), ["report"], provenance));
        Assert.Contains("stage 'report' is stale", stale.Message);
        var partial = CrossDomain.Stages.Report.ResultsExport.Write(harness.Load(retitled), harness.Status(retitled), Path.Combine(docs.Path, "other"), [], provenance);
        Assert.Equal("report", Assert.Single(partial.LeftOut).Stage);
        Assert.True(File.Exists(Path.Combine(docs.Path, "other", "evaluate", "results.md")));
        Assert.False(Directory.Exists(Path.Combine(docs.Path, "other", "report")));
        Assert.Throws<ArgumentException>(() => CrossDomain.Stages.Report.ResultsExport.Write(
            harness.Load(ShortDefaultRun.Overrides), harness.Status(ShortDefaultRun.Overrides), Path.Combine(docs.Path, "third"), ["train_sasrec_food_to_kitchen"], provenance));
    }
}
