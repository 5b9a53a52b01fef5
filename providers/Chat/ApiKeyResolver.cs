using Microsoft.Extensions.Configuration;

namespace CrossDomain.Providers.Chat;

/// <summary>
/// Finds an API key by name: the environment first, then .NET user secrets (<c>dotnet user-secrets set NAME value
/// --id ID</c>). The key itself never enters config, lock, artifacts or logs; only its variable name does.
/// </summary>
public static class ApiKeyResolver
{
    public static string? Find(string? variable, string? userSecretsId)
    {
        if (string.IsNullOrEmpty(variable)) return null;
        var value = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(value)) return value;
        if (string.IsNullOrEmpty(userSecretsId)) return null;
        var config = new ConfigurationBuilder().AddUserSecrets(userSecretsId, reloadOnChange: false).Build();
        return config[variable] is { Length: > 0 } secret ? secret : null;
    }

    /// <summary>Removes a secret from text that may reach a log or an exception message.</summary>
    public static string Redact(string text, string? secret) =>
        string.IsNullOrEmpty(secret) || secret.Length < 4 ? text : text.Replace(secret, "***", StringComparison.Ordinal);
}
