namespace CrossDomain.Tests.Support;

/// <summary>The repository the tests were built from, and copying its prompts into a temp project.</summary>
public static class Repo
{
    public static readonly string Root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../.."));

    /// <summary>Copies prompts/ (templates and the default schema) into the temp project, as a fresh clone has it.</summary>
    public static void CopyPrompts(TempDir dir)
    {
        foreach (var f in Directory.GetFiles(Path.Combine(Root, "prompts")))
            dir.File(Path.Combine("prompts", Path.GetFileName(f)), File.ReadAllText(f));
    }
}
