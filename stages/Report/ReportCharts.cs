using ScottPlot;

namespace CrossDomain.Stages.Report;

/// <summary>
/// The report's plots, drawn with ScottPlot and saved as PNG under figures/. Every plot has a title, axis labels
/// and a legend where there is more than one series; a model keeps its colour in every figure.
/// </summary>
public sealed class ReportCharts(string folder, int width, int height)
{
    private readonly Dictionary<string, Color> _colours = [];
    private static readonly Color Source = Colors.C0, Target = Colors.C1;

    public List<ReportFigure> Written { get; } = [];

    /// <summary>A model's colour: the next of the Category10 palette on first sight, then always the same.</summary>
    public Color ColourOf(string model)
    {
        if (!_colours.TryGetValue(model, out var c))
            _colours[model] = c = new ScottPlot.Palettes.Category10().GetColor(_colours.Count);
        return c;
    }

    private ReportFigure Save(Plot plot, string file, string caption) => Save(name => plot.SavePng(Path.Combine(folder, name), width, height), file, caption, width, height);

    private ReportFigure Save(Multiplot plot, string file, string caption, int panels) =>
        Save(name => plot.SavePng(Path.Combine(folder, name), width * panels, height), file, caption, width * panels, height);

    private ReportFigure Save(Action<string> draw, string file, string caption, int w, int h)
    {
        Directory.CreateDirectory(folder);
        // Two figures never share a file: a repeated name gets a counter.
        var stem = Path.GetFileNameWithoutExtension(file);
        for (int k = 2; Written.Any(f => f.File == file); k++) file = $"{stem}_{k}.png";
        draw(file);
        var figure = new ReportFigure
        {
            File = file, Caption = caption, Width = w, Height = h,
            Base64 = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(folder, file))),
        };
        Written.Add(figure);
        return figure;
    }

    /// <summary>Grouped bars of relative frequencies, source against target, one group per label; one panel per population (all items, one user).</summary>
    public ReportFigure LabelHistograms(string file, string category, IReadOnlyList<string> labels,
        IReadOnlyList<(string Title, double[] Source, double[] Target)> panels, string sourceName, string targetName, string caption)
    {
        var multi = new Multiplot();
        multi.AddPlots(panels.Count);
        multi.Layout = new ScottPlot.MultiplotLayouts.Grid(1, panels.Count);
        for (int p = 0; p < panels.Count; p++)
        {
            var plot = multi.GetPlot(p);
            var bars = new List<Bar>();
            for (int i = 0; i < labels.Count; i++)
            {
                bars.Add(new Bar { Position = i * 3, Value = panels[p].Source[i], FillColor = Source });
                bars.Add(new Bar { Position = i * 3 + 1, Value = panels[p].Target[i], FillColor = Target });
            }
            DomainBars(plot, bars, [.. labels.Select((_, i) => i * 3 + 0.5)], labels, sourceName, targetName);
            plot.Title($"{category}: {panels[p].Title}");
            plot.YLabel("share of the domain's items (%)");
            plot.XLabel("label");
        }
        return Save(multi, file, caption, panels.Count);
    }

    /// <summary>Horizontal-axis bars of counts (the tag vocabulary), stacked by domain.</summary>
    public ReportFigure TagFrequencies(string file, IReadOnlyList<string> tags, IReadOnlyList<double> first, IReadOnlyList<double> second, string firstName, string secondName, string caption)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        for (int i = 0; i < tags.Count; i++)
        {
            bars.Add(new Bar { Position = i, ValueBase = 0, Value = first[i], FillColor = Source });
            bars.Add(new Bar { Position = i, ValueBase = first[i], Value = first[i] + second[i], FillColor = Target });
        }
        DomainBars(plot, bars, [.. tags.Select((_, i) => (double)i)], tags, firstName, secondName);
        plot.Title($"The {tags.Count} most frequent tags");
        plot.YLabel("items tagged");
        plot.XLabel("tag");
        return Save(plot, file, caption);
    }

    /// <summary>Two panels: training loss and validation NDCG@10 (full ranking) per epoch, one line per seed.</summary>
    public ReportFigure TrainingCurves(string file, string model, string direction, IReadOnlyList<(int Seed, double[] Epochs, double[] Loss, double[] EpochsWithValid, double[] Valid)> seeds, string caption)
    {
        var multi = new Multiplot();
        multi.AddPlots(2);
        multi.Layout = new ScottPlot.MultiplotLayouts.Grid(1, 2);
        var colour = ColourOf(model);
        var patterns = new[] { LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed };
        for (int panel = 0; panel < 2; panel++)
        {
            var plot = multi.GetPlot(panel);
            for (int k = 0; k < seeds.Count; k++)
            {
                var s = seeds[k];
                var (xs, ys) = panel == 0 ? (s.Epochs, s.Loss) : (s.EpochsWithValid, s.Valid);
                if (xs.Length == 0) continue;
                var line = plot.Add.Scatter(xs, ys);
                line.Color = colour.WithAlpha(1.0 - 0.12 * (k % 5));
                line.LinePattern = patterns[k % patterns.Length];
                line.MarkerSize = 0;
                line.LineWidth = 2;
                line.LegendText = $"seed {s.Seed}";
            }
            plot.Title(panel == 0 ? $"{model}, {direction}: training loss" : $"{model}, {direction}: validation NDCG@10 (full)");
            plot.XLabel("epoch");
            plot.YLabel(panel == 0 ? "loss" : "NDCG@10 (%)");
            if (seeds.Count > 1) plot.ShowLegend(panel == 0 ? Alignment.UpperRight : Alignment.LowerRight);
        }
        return Save(multi, file, caption, 2);
    }

    /// <summary>Bars with error bars (mean ± std) per model, in each model's colour, one panel per protocol.</summary>
    public ReportFigure ModelBars(string file, string title, IReadOnlyList<string> models,
        IReadOnlyList<(string Panel, double[] Mean, double[] Std)> panels, string yLabel, string caption)
    {
        var multi = new Multiplot();
        multi.AddPlots(panels.Count);
        multi.Layout = new ScottPlot.MultiplotLayouts.Grid(1, panels.Count);
        for (int p = 0; p < panels.Count; p++)
        {
            var plot = multi.GetPlot(p);
            var bars = models.Select((m, i) => new Bar { Position = i, Value = panels[p].Mean[i], Error = panels[p].Std[i], FillColor = ColourOf(m) }).ToList();
            plot.Add.Bars(bars);
            plot.Axes.Bottom.SetTicks([.. models.Select((_, i) => (double)i)], [.. models]);
            RotateTicks(plot, models);
            plot.Axes.Margins(bottom: 0);
            plot.Title($"{title}: {panels[p].Panel}");
            plot.YLabel(yLabel);
            plot.XLabel("model");
        }
        return Save(multi, file, caption, panels.Count);
    }

    /// <summary>A metric against a swept hyper-parameter, mean ± std over seeds, one line per protocol (the papers' sweep figures).</summary>
    public ReportFigure Sweep(string file, string parameter, double[] values, IReadOnlyList<(string Series, double[] Mean, double[] Std)> series, string yLabel, string caption)
    {
        var plot = new Plot();
        for (int k = 0; k < series.Count; k++)
        {
            var s = series[k];
            var line = plot.Add.Scatter(values, s.Mean);
            line.LegendText = s.Series;
            line.Color = k == 0 ? Source : Target;
            line.LineWidth = 2;
            line.MarkerSize = 7;
            var errors = plot.Add.ErrorBar(values, s.Mean, s.Std);
            errors.Color = line.Color;
        }
        plot.Title($"Sensitivity to {parameter}");
        plot.XLabel(parameter);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.LowerRight);
        return Save(plot, file, caption);
    }

    /// <summary>Scatter of 2-D item projections coloured by domain, one panel per model.</summary>
    public ReportFigure Projection(string file, IReadOnlyList<(string Panel, double[] X, double[] Y, bool[] IsSource)> panels, string sourceName, string targetName, string caption)
    {
        var multi = new Multiplot();
        multi.AddPlots(panels.Count);
        multi.Layout = new ScottPlot.MultiplotLayouts.Grid(1, panels.Count);
        for (int p = 0; p < panels.Count; p++)
        {
            var plot = multi.GetPlot(p);
            var (name, x, y, isSource) = panels[p];
            foreach (var (source, colour, label) in new[] { (true, Source, sourceName), (false, Target, targetName) })
            {
                var idx = Enumerable.Range(0, x.Length).Where(i => isSource[i] == source).ToArray();
                var points = plot.Add.ScatterPoints(idx.Select(i => x[i]).ToArray(), idx.Select(i => y[i]).ToArray());
                points.Color = colour.WithAlpha(0.55);
                points.MarkerSize = 4;
                points.LegendText = label;
            }
            plot.Title(name);
            plot.XLabel("PC 1");
            plot.YLabel("PC 2");
            plot.ShowLegend(Alignment.UpperRight);
        }
        return Save(multi, file, caption, panels.Count);
    }

    /// <summary>Bars in the two domain colours with their ticks and a legend naming the domains.</summary>
    private static void DomainBars(Plot plot, List<Bar> bars, double[] ticks, IReadOnlyList<string> labels, string sourceName, string targetName)
    {
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(ticks, [.. labels]);
        RotateTicks(plot, labels);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = sourceName, FillColor = Source });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = targetName, FillColor = Target });
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Margins(bottom: 0);
    }

    private static void RotateTicks(Plot plot, IReadOnlyList<string> labels)
    {
        if (labels.Count <= 4 && labels.All(l => l.Length <= 12)) return;
        plot.Axes.Bottom.TickLabelStyle.Rotation = -40;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        var longest = labels.Select(l => l.Length).DefaultIfEmpty(0).Max();
        plot.Axes.Bottom.MinimumSize = Math.Min(220, 14 + 6.5f * longest);
    }
}
