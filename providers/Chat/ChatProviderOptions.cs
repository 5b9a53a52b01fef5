namespace CrossDomain.Providers.Chat;

/// <summary>How to reach one chat model, and how hard to try. Secrets are never stored here, only where to find them.</summary>
public sealed record ChatProviderOptions
{
    /// <summary>The model service by name (<see cref="Services.ModelServices"/>): ollama, openai or azure_openai.</summary>
    public required string Provider { get; init; }

    /// <summary>Ollama base URL, OpenAI-compatible base URL (ending in /v1), or Azure OpenAI resource endpoint.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>Model name (Ollama, OpenAI) or deployment name (Azure OpenAI).</summary>
    public required string Model { get; init; }

    /// <summary>Name of the environment variable (or user-secrets key) holding the API key; null for none.</summary>
    public string? ApiKeyVariable { get; init; }

    /// <summary>User-secrets id to look the key up in when the environment lacks it.</summary>
    public string? UserSecretsId { get; init; }

    /// <summary>Azure only: authenticate with Entra ID (DefaultAzureCredential) instead of a key.</summary>
    public bool UseEntraId { get; init; }

    public ResilienceOptions Resilience { get; init; } = new();
}

/// <summary>
/// The one retry layer for every provider (the SDKs' own retries are switched off, so retries never stack).
/// Defaults suit slow local models: a generous per-attempt timeout rather than the usual 10 s.
/// </summary>
public sealed record ResilienceOptions
{
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public int MaxRetries { get; init; } = 5;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>A server's Retry-After is honoured up to this long.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Calls in flight at once.</summary>
    public int Concurrency { get; init; } = 4;
    /// <summary>Requests started per minute (attempts, retries included); 0 for no limit.</summary>
    public int RequestsPerMinute { get; init; }
    /// <summary>Open the circuit when this fraction of attempts fails within <see cref="BreakerWindow"/>.</summary>
    public double BreakerFailureRatio { get; init; } = 0.8;
    public int BreakerMinimumThroughput { get; init; } = 20;
    public TimeSpan BreakerWindow { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>The clock of every wait (backoff, Retry-After, attempt timeout, circuit breaker): tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    /// <summary>Longest response body read per attempt; 0 for no cap. A longer one raises <see cref="Resilience.ResponseTooLargeException"/>.</summary>
    public long MaxResponseBytes { get; init; }
}
