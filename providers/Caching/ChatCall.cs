using Microsoft.Extensions.AI;

namespace CrossDomain.Providers.Caching;

/// <summary>
/// Who a chat call is, for the per-call cache: its key (see <see cref="CallKey"/>; the caller hashes the template's
/// identity and values, not the rendered text, so a hit needs no rendering) and the columns people read with
/// <c>crossdomain inspect</c>. It rides in <see cref="ChatOptions.AdditionalProperties"/> through the cache and planning
/// middleware; provider connections remove it (<see cref="Without"/>) so that no request carries it.
/// </summary>
public sealed record ChatCall(string Key, string Task, string Subject, int Sample, int Attempt, string Provider, string Model, string Template)
{
    private const string Property = "crossdomain.call";

    /// <summary>A copy of <paramref name="options"/> that carries this call.</summary>
    public ChatOptions Attach(ChatOptions options)
    {
        var copy = options.Clone();
        copy.AdditionalProperties = copy.AdditionalProperties?.Clone() ?? [];
        copy.AdditionalProperties[Property] = this;
        return copy;
    }

    /// <summary>The call <paramref name="options"/> carry, or null for a call that is not one of ours (it is not cached).</summary>
    public static ChatCall? Of(ChatOptions? options) =>
        options?.AdditionalProperties is { } p && p.TryGetValue(Property, out var value) ? value as ChatCall : null;

    /// <summary><paramref name="options"/> without a call (the same instance when they carry none).</summary>
    public static ChatOptions? Without(ChatOptions? options)
    {
        if (Of(options) is null) return options;
        var copy = options!.Clone();
        copy.AdditionalProperties = copy.AdditionalProperties!.Clone();
        copy.AdditionalProperties.Remove(Property);
        if (copy.AdditionalProperties.Count == 0) copy.AdditionalProperties = null;
        return copy;
    }
}
