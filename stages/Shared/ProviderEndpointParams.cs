using CrossDomain.Engine.Stages;
using CrossDomain.Providers.Chat;

namespace CrossDomain.Stages.Shared;

/// <summary>
/// How to reach a network model (chat or embeddings) and how hard to try: shared by the extract stage's <c>llm</c>
/// and the embed stage's <c>embedder</c> params. The API key itself never goes in the pipeline file.
/// </summary>
public abstract class ProviderEndpointParams
{
    [Param("Model (ollama, openai) or deployment name (azure_openai).")]
    public string Model { get; set; } = "";

    [Param("Base URL: http://localhost:11434 (ollama), https://api.openai.com/v1 or your server's /v1 (openai), https://NAME.openai.azure.com (azure_openai).")]
    public string Endpoint { get; set; } = "";

    [Param("Name of the environment variable (or user secret) holding the API key. The key itself never goes in this file.")]
    public string ApiKeyEnv { get; set; } = "";

    [Param("User-secrets id searched for api_key_env when the environment lacks it.")]
    public string UserSecretsId { get; set; } = "crossdomain";

    [Param("azure_openai: key (api_key_env) or entra (DefaultAzureCredential).")]
    public string Auth { get; set; } = "key";

    [Param("Seconds one attempt may take (local models are slow).", Min = 0, MinExclusive = true)]
    public double TimeoutSeconds { get; set; } = 300;

    [Param("Retries after a 429, 5xx, timeout or dropped connection (exponential backoff with jitter, Retry-After honoured).", Min = 0)]
    public int MaxRetries { get; set; } = 5;

    [Param("First retry delay in seconds; doubles each retry.", Min = 0)]
    public double RetryBaseDelaySeconds { get; set; } = 1;

    [Param("Longest Retry-After honoured, in seconds.", Min = 0)]
    public double MaxRetryAfterSeconds { get; set; } = 120;

    [Param("Requests in flight at once.", Min = 1)]
    public int Concurrency { get; set; } = 4;

    [Param("Requests per minute, retries included; 0 for no limit.", Min = 0)]
    public int RequestsPerMinute { get; set; }

    protected IEnumerable<(string Key, string Message)> ValidateEndpoint(bool network, string provider)
    {
        if (network && string.IsNullOrWhiteSpace(Model)) yield return ("model", $"name the model (or deployment) for {provider}");
        if (network && !Uri.TryCreate(Endpoint, UriKind.Absolute, out _)) yield return ("endpoint", "give an absolute http(s) URL");
        if (Auth is not ("key" or "entra")) yield return ("auth", "key or entra");
        if (TimeoutSeconds <= 0) yield return ("timeout_seconds", "must be > 0");
        if (MaxRetries < 0) yield return ("max_retries", "must be >= 0");
        if (Concurrency < 1) yield return ("concurrency", "must be >= 1");
        if (RequestsPerMinute < 0) yield return ("requests_per_minute", "must be >= 0");
    }

    protected ChatProviderOptions ToOptions(string provider) => new()
    {
        Provider = provider,
        Endpoint = new Uri(Endpoint),
        Model = Model,
        ApiKeyVariable = string.IsNullOrEmpty(ApiKeyEnv) ? null : ApiKeyEnv,
        UserSecretsId = string.IsNullOrEmpty(UserSecretsId) ? null : UserSecretsId,
        UseEntraId = Auth == "entra",
        Resilience = new ResilienceOptions
        {
            AttemptTimeout = TimeSpan.FromSeconds(TimeoutSeconds),
            MaxRetries = MaxRetries,
            BaseDelay = TimeSpan.FromSeconds(RetryBaseDelaySeconds),
            MaxRetryAfter = TimeSpan.FromSeconds(MaxRetryAfterSeconds),
            Concurrency = Concurrency,
            RequestsPerMinute = RequestsPerMinute,
        },
    };
}
