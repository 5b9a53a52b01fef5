using System.Collections.Concurrent;
using HandlebarsDotNet;
using CrossDomain.Engine.Stages;
using CrossDomain.Providers.Caching;

namespace CrossDomain.Stages.Extract;

/// <summary>
/// The prompt template files of <c>prompts/</c>, rendered with Handlebars (the engine Semantic Kernel's Handlebars
/// prompt templates use; <c>{{! comments }}</c> are not sent). HTML escaping is off: prompts are not HTML.
/// A template's version is the hash of its text, so editing it changes exactly the cache keys of the calls using it.
/// </summary>
public sealed class PromptTemplates
{
    private readonly IHandlebars _handlebars = Handlebars.Create(new HandlebarsConfiguration { NoEscape = true });
    private readonly ConcurrentDictionary<string, (Lazy<HandlebarsTemplate<object, object>> Render, string Version, string Name, PromptSettings Settings)> _templates = new();

    /// <summary>
    /// Reads a template and checks its syntax; compilation to a renderer waits for the first render (a rerun served
    /// from caches renders nothing). Errors name the file.
    /// </summary>
    public string Load(string path)
    {
        if (!File.Exists(path)) throw new StageException($"prompt template {path} does not exist");
        var (settings, text) = PromptSettings.Parse(File.ReadAllText(path), path);
        var compiled = new Lazy<HandlebarsTemplate<object, object>>(() =>
        {
            try { return _handlebars.Compile(text); }
            catch (HandlebarsException e) { throw new StageException($"prompt template {path}: {e.Message}"); }
        });
        // The version hashes the template body only: front-matter values reach the cache keys as the values themselves.
        _templates[path] = (compiled, CallKey.Of(text)[..16], Path.GetFileName(path), settings);
        return path;
    }

    public string Render(string path, object model)
    {
        var t = _templates[path];
        try { return t.Render.Value(model).Trim(); }
        catch (HandlebarsException e) { throw new StageException($"prompt template {path}: {e.Message}"); }
    }

    /// <summary>The settings of the template's front-matter (<see cref="PromptSettings.None"/> without one).</summary>
    public PromptSettings Settings(string path) => _templates[path].Settings;

    /// <summary>The template's file name and version, as recorded in the cache.</summary>
    public (string Name, string Version) Identity(string path) => (_templates[path].Name, _templates[path].Version);
}
