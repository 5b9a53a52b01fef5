namespace CrossDomain.Providers.Services;

/// <summary>Every network model service by name: the one registry the extract and embed stages resolve a provider in.</summary>
public static class ModelServices
{
    private static readonly IModelService[] All = [new OllamaService(), new OpenAIService(), new AzureOpenAIService()];

    /// <summary>The names, in registration order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(s => s.Name)];

    /// <summary>The service a name means (ignoring case, '-' for '_'), or null.</summary>
    public static IModelService? Find(string name)
    {
        var canonical = name.Trim().ToLowerInvariant().Replace('-', '_');
        return All.FirstOrDefault(s => s.Name == canonical);
    }

    public static IModelService Get(string name) => Find(name)
        ?? throw new ArgumentException($"unknown model service '{name}'; known: {string.Join(", ", Names)}");
}
