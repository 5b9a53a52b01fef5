namespace CrossDomain.Engine.Config;

/// <summary>Lists of names in messages: a pipeline can have hundreds of stages, and an error must stay readable.</summary>
public static class NameList
{
    public static string Short(IEnumerable<string> names, int most = 8)
    {
        var list = names.ToList();
        return list.Count <= most ? string.Join(", ", list) : $"{string.Join(", ", list.Take(most))} and {list.Count - most} more";
    }
}
