using CrossDomain.Stages.Shared;

namespace CrossDomain.Tests.Report;

public class MarkdownTableTests
{
    [Fact]
    public void Numbers_are_right_aligned_empty_cells_stay_narrow_and_pipes_are_escaped()
    {
        var table = new MarkdownTable(MarkdownTable.Text("model"), MarkdownTable.Number("N@10"), MarkdownTable.Text("note"))
            .Add("SASRec", "4.84 ± 0.10", "")
            .Add("a|b", "–", "x");
        Assert.Equal("| model | N@10 | note |\n| --- | ---: | --- |\n| SASRec | 4.84 ± 0.10 | |\n| a\\|b | – | x |\n", table.ToString());
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void A_row_of_the_wrong_width_names_the_columns()
    {
        var table = new MarkdownTable(MarkdownTable.Text("stage"), MarkdownTable.Text("kind"));
        var e = Assert.Throws<ArgumentException>(() => table.Add("only one"));
        Assert.Contains("1 cells for a table of 2 columns (stage, kind)", e.Message);
    }
}
