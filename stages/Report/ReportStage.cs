using CrossDomain.Engine.Stages;
using HandlebarsDotNet;

namespace CrossDomain.Stages.Report;

/// <summary>
/// report: one self-contained <c>index.html</c> (figures embedded as data URIs) and <c>report.md</c> with the
/// PNGs in <c>figures/</c> beside it, from whatever its deps produced: dataset statistics and filters, extraction
/// counters, label histograms and the tag vocabulary, results with the papers' marks, training curves, ablation
/// and sweep tables and plots, and SemaCDR's item embeddings. Like every stage it reruns only when a dep changes.
/// </summary>
public sealed class ReportStage : StageKind<ReportParams>
{
    public override string Name => "report";
    public override int Version => 2; // 2: the embedding figure's PCA by torch.linalg.svd
    public override string Description => "One self-contained HTML report and a Markdown report with PNG figures (ScottPlot) over the pipeline's artifacts.";

    public override IReadOnlyList<OutputSpec> Outputs(ReportParams p) =>
    [
        new("html", "index.html"),
        new("markdown", "report.md"),
        new("figures", "figures", IsDirectory: true),
    ];

    public override async Task RunAsync(StageContext ctx, ReportParams p, CancellationToken ct)
    {
        var inputs = await ReportInputs.ReadAsync(ctx.Upstream, ct);
        var figures = ctx.Output("figures");
        Directory.CreateDirectory(figures);
        var charts = new ReportCharts(figures, p.FigureWidth, p.FigureHeight);
        var document = new ReportBuilder(inputs, p, charts).Build();
        foreach (var table in document.Sections.SelectMany(s => s.Blocks).Select(b => b.Table).OfType<ReportTable>()) table.MarkNumeric();
        await File.WriteAllTextAsync(ctx.Output("html"), Render("report.html.hbs", document, markdown: false), ct);
        await File.WriteAllTextAsync(ctx.Output("markdown"), Render("report.md.hbs", document, markdown: true), ct);
        ctx.Progress.Info($"{document.Sections.Count} section(s), {charts.Written.Count} figure(s)");
    }

    /// <summary>Renders a template embedded in this assembly: HTML escapes every value; Markdown escapes the table pipe.</summary>
    public static string Render(string template, ReportDocument document, bool markdown)
    {
        var handlebars = Handlebars.Create(new HandlebarsConfiguration { NoEscape = markdown });
        handlebars.RegisterHelper("md", (writer, _, args) =>
            writer.WriteSafeString((args.Length > 0 ? args[0]?.ToString() ?? "" : "").Replace("|", "\\|").Replace("\n", " ")));
        using var stream = typeof(ReportStage).Assembly.GetManifestResourceStream($"CrossDomain.Stages.Report.{template}")
                           ?? throw new InvalidOperationException($"template {template} is not embedded");
        using var reader = new StreamReader(stream);
        return handlebars.Compile(reader.ReadToEnd())(document);
    }
}
