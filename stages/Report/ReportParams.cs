using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Report;

public sealed class ReportParams : IValidatableParams
{
    [Param("Heading of the report.")]
    public string Title { get; set; } = "CrossDomain report";

    [Param("Seed that picks the one user whose label histograms are shown (SemaCDR's Figure 4).", Min = 0)]
    public int SampleUserSeed { get; set; } = 1;

    [Param("Models (as labelled in the results) that count as baselines for the relative improvement row.")]
    public List<string> Baselines { get; set; } = ["Popularity", "Random", "SASRec", "SASRec-CE", "GRU4Rec"];

    [Param("How many of the most frequent tags the tag chart shows (the table lists every tag).", Min = 1)]
    public int TopTags { get; set; } = 30;

    [Param("Size in pixels of one plot panel; figures with two panels side by side are twice as wide.", Min = 100, Max = 10000)]
    public int FigureWidth { get; set; } = 800;

    [Param("Height in pixels of one plot panel.", Min = 100, Max = 10000)]
    public int FigureHeight { get; set; } = 450;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (TopTags < 1) yield return ("top_tags", "must be >= 1");
        if (FigureWidth is < 200 or > 4000) yield return ("figure_width", "must be between 200 and 4000");
        if (FigureHeight is < 150 or > 4000) yield return ("figure_height", "must be between 150 and 4000");
    }
}
