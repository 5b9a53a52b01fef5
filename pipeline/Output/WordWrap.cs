namespace CrossDomain.Pipeline.Output;

/// <summary>Breaks text at spaces into lines of at most a width; continuation lines are indented by two spaces. A word longer than the width stays whole.</summary>
public static class WordWrap
{
    public const string Indent = "  ";

    public static IEnumerable<string> Lines(string text, int width)
    {
        foreach (var paragraph in text.Split('\n'))
        {
            var line = new System.Text.StringBuilder();
            var empty = true; // nothing but the indent on this line yet
            foreach (var word in paragraph.Split(' '))
            {
                if (!empty && line.Length + 1 + word.Length > width)
                {
                    yield return line.ToString();
                    line.Clear().Append(Indent);
                    empty = true;
                }
                if (!empty) line.Append(' ');
                line.Append(word);
                empty = false;
            }
            yield return line.ToString();
        }
    }
}
