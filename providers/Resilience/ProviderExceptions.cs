using System.Net;

namespace CrossDomain.Providers.Resilience;

/// <summary>
/// The server refused the credentials (401 or 403). Never retried: every other call would be refused the same way,
/// so the stage stops at once and says to check the key.
/// </summary>
public sealed class CredentialsRejectedException(HttpStatusCode status, string host)
    : Exception($"{(int)status} {status} from {host}: the server refused the credentials; check the API key (the variable that api_key_env names) and that it may use this model. Not retried.")
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>An answer longer than the per-call cap (<c>max_response_bytes</c>): it is not read further, and counts as an invalid answer.</summary>
public sealed class ResponseTooLargeException(long limit)
    : Exception($"the answer is longer than {limit:N0} bytes (max_response_bytes); it was not read further")
{
    public long Limit { get; } = limit;
}
