using System.Net;
using System.Threading.RateLimiting;
using CrossDomain.Providers.Chat;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Microsoft.Extensions.Http.Resilience;
using Polly.Timeout;

namespace CrossDomain.Providers.Resilience;

/// <summary>
/// The one Polly v8 pipeline every provider's HTTP traffic goes through, outermost first:
/// concurrency limit → retry (exponential backoff with jitter on 429, 408, 5xx, connection failures and attempt
/// timeouts; a server's Retry-After is honoured, capped) → circuit breaker → requests-per-minute limit →
/// per-attempt timeout. 401 and 403 are never retried (<see cref="CredentialsRejectedException"/>), and a body
/// longer than the cap is cut off (<see cref="ResponseTooLargeException"/>). It sits at the HTTP level so that every client library (OllamaSharp, OpenAI,
/// Azure.AI.OpenAI) gets identical behaviour and the status code and Retry-After header are always visible.
/// </summary>
public sealed class ResilientHttpHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ResilienceCounters _counters;
    private readonly long _maxResponseBytes;

    public ResilientHttpHandler(ResilienceOptions options, ResilienceCounters counters, HttpMessageHandler inner) : base(inner)
    {
        _counters = counters;
        _maxResponseBytes = options.MaxResponseBytes;
        _pipeline = Build(options, counters);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A retried request re-sends its body: buffer it once.
        if (request.Content is not null) await request.Content.LoadIntoBufferAsync(cancellationToken);
        return await _pipeline.ExecuteAsync(async token =>
        {
            _counters.Attempt();
            var response = await base.SendAsync(request, token);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) _counters.Throttle();
            else if ((int)response.StatusCode >= 500) _counters.ServerError();
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                response.Dispose();
                throw new CredentialsRejectedException(response.StatusCode, request.RequestUri?.Host ?? "the server");
            }
            if (IsTransient(response))
                await response.Content.LoadIntoBufferAsync(token); // the body must survive the attempt's timeout token
            else if (_maxResponseBytes > 0)
                await CapAsync(response, _maxResponseBytes, token);
            return response;
        }, cancellationToken);
    }

    /// <summary>Reads the body within the attempt, up to the cap, so that a runaway answer costs at most the cap in memory.</summary>
    private static async Task CapAsync(HttpResponseMessage response, long cap, CancellationToken token)
    {
        if (response.Content.Headers.ContentLength > cap) { response.Dispose(); throw new ResponseTooLargeException(cap); }
        var body = new MemoryStream();
        await using (var stream = await response.Content.ReadAsStreamAsync(token))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(buffer, token)) > 0)
            {
                if (body.Length + read > cap) { response.Dispose(); throw new ResponseTooLargeException(cap); }
                body.Write(buffer, 0, read);
            }
        }
        var capped = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length);
        foreach (var h in response.Content.Headers) capped.Headers.TryAddWithoutValidation(h.Key, h.Value);
        response.Content.Dispose();
        response.Content = capped;
    }

    private static bool IsTransient(HttpResponseMessage response) =>
        HttpClientResiliencePredicates.IsTransient(Outcome.FromResult(response));

    // Microsoft.Extensions.Http.Resilience's transient set (HttpRequestException, attempt timeouts, 408, 429, 5xx),
    // plus a connection cut while the body is read (IOException), which reaches the pipeline here as it is.
    private static ValueTask<bool> ShouldHandle(Outcome<HttpResponseMessage> outcome) =>
        ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(outcome) || outcome.Exception is IOException);

    internal static ResiliencePipeline<HttpResponseMessage> Build(ResilienceOptions o, ResilienceCounters counters)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = o.TimeProvider };
        builder.AddConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = Math.Max(1, o.Concurrency), QueueLimit = int.MaxValue });
        if (o.MaxRetries > 0)
        {
            var retry = new HttpRetryStrategyOptions
            {
                ShouldHandle = args => ShouldHandle(args.Outcome),
                MaxRetryAttempts = o.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.BaseDelay,
                MaxDelay = o.MaxDelay,
                ShouldRetryAfterHeader = true, // seconds or an HTTP date, as the library parses them
                OnRetry = args =>
                {
                    counters.Retry();
                    if (args.Outcome.Exception is TimeoutRejectedException) counters.Timeout();
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            };
            // The server's Retry-After wins over the backoff, but never for longer than max_retry_after_seconds.
            var retryAfter = retry.DelayGenerator!;
            retry.DelayGenerator = async args => await retryAfter(args) is { } wait ? Cap(wait, o.MaxRetryAfter) : null;
            builder.AddRetry(retry);
        }
        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            ShouldHandle = args => ShouldHandle(args.Outcome),
            FailureRatio = o.BreakerFailureRatio,
            MinimumThroughput = Math.Max(2, o.BreakerMinimumThroughput),
            SamplingDuration = o.BreakerWindow,
            BreakDuration = o.BreakDuration,
        });
        if (o.RequestsPerMinute > 0)
            builder.AddRateLimiter(new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
            {
                PermitLimit = o.RequestsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                SegmentsPerWindow = 12,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }));
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = o.AttemptTimeout });
        return builder.Build();
    }

    private static TimeSpan Cap(TimeSpan wait, TimeSpan cap) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait > cap ? cap : wait;
}
