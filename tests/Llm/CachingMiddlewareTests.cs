using System.Text;
using CrossDomain.FakeServers;
using CrossDomain.Providers.Caching;
using CrossDomain.Providers.Chat;
using CrossDomain.Providers.Embedding;
using CrossDomain.Stages.Extract;
using CrossDomain.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace CrossDomain.Tests.Llm;

/// <summary>
/// The per-call caches as Microsoft.Extensions.AI middleware: keyed by the caller's <see cref="ChatCall"/> (so a hit
/// renders nothing), storing inspectable rows, never storing planned stand-ins, and never leaking the call to a provider.
/// </summary>
public sealed class CachingMiddlewareTests
{
    private static ChatCall Call(string key, int attempt = 0) => new(key, "item_semantics", "item-1", 2, attempt, "openai", "m", "item_semantics@abc");

    /// <summary>Messages that count how often they are rendered (enumerated).</summary>
    private sealed class CountedPrompt(string text) : IEnumerable<ChatMessage>
    {
        public int Renders;
        public IEnumerator<ChatMessage> GetEnumerator()
        {
            Renders++;
            yield return new ChatMessage(ChatRole.User, text);
        }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A model that answers with a numbered text and counts its calls.</summary>
    private sealed class CountingModel : IChatClient
    {
        public int Calls;
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var n = Interlocked.Increment(ref Calls);
            var prompt = string.Join("|", messages.Select(m => m.Text));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer {n} to {prompt}"))
            {
                Usage = new UsageDetails { InputTokenCount = 7, OutputTokenCount = 3 },
            });
        }
        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var response = await GetResponseAsync(messages, options, cancellationToken);
            foreach (var update in response.ToChatResponseUpdates()) yield return update;
        }
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    /// <summary>Any other <see cref="IDistributedCache"/>: the middleware then goes through the interface's bytes.</summary>
    private sealed class OpaqueCache(IDistributedCache inner) : IDistributedCache
    {
        public byte[]? Get(string key) => inner.Get(key);
        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => inner.GetAsync(key, token);
        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, options);
        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => inner.SetAsync(key, value, options, token);
        public void Refresh(string key) => inner.Refresh(key);
        public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);
        public void Remove(string key) => inner.Remove(key);
        public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hit_is_served_without_rendering_the_messages_and_a_miss_stores_an_inspectable_row(bool throughTheInterface)
    {
        using var dir = new TempDir();
        using var cache = await CallCache.OpenAsync(dir.Path);
        var model = new CountingModel();
        IDistributedCache storage = throughTheInterface ? new OpaqueCache(cache) : cache;
        var client = model.AsBuilder().Use(inner => new CallCachingChatClient(inner, storage)).Build();
        var options = Call("k1").Attach(new ChatOptions { Temperature = 0.7f });

        var first = new CountedPrompt("label item 1");
        var answered = await client.GetResponseAsync(first, options);
        Assert.Equal("answer 1 to label item 1", answered.Text);
        Assert.False(CallCachingChatClient.IsFromCache(answered));
        Assert.Equal(1, first.Renders);

        var second = new CountedPrompt("label item 1");
        var hit = await client.GetResponseAsync(second, options);
        Assert.Equal("answer 1 to label item 1", hit.Text);
        Assert.True(CallCachingChatClient.IsFromCache(hit));
        Assert.Equal(0, second.Renders); // render-free: the key is the caller's, not a hash of the messages
        Assert.Equal((7L, 3L), (hit.Usage!.InputTokenCount!.Value, hit.Usage.OutputTokenCount!.Value));
        Assert.Equal(1, model.Calls);

        // The row carries the call's columns, durable in the database for another process (and inspect).
        using var reader = await CallCache.OpenAsync(dir.Path);
        var row = Assert.Single(reader.ReadAll());
        Assert.Equal(("k1", "item_semantics", "item-1", 2, 0, "openai", "m", "item_semantics@abc"),
            (row.Key, row.Task, row.Subject, row.Sample, row.Attempt, row.Provider, row.Model, row.Template));
        Assert.Equal("answer 1 to label item 1", row.Response);
        Assert.Equal((7L, 3L), (row.TokensIn, row.TokensOut));
        Assert.True(row.LatencyMs >= 0);
    }

    [Fact]
    public async Task Streaming_calls_share_the_row_of_the_call_and_calls_without_a_ChatCall_pass_through_uncached()
    {
        using var dir = new TempDir();
        using var cache = await CallCache.OpenAsync(dir.Path);
        var model = new CountingModel();
        var client = model.AsBuilder().Use(inner => new CallCachingChatClient(inner, cache)).Build();
        var options = Call("k2").Attach(new ChatOptions());
        var streamed = await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "p")], options).ToChatResponseAsync();
        Assert.Equal("answer 1 to p", streamed.Text);
        Assert.Equal("answer 1 to p", (await client.GetResponseAsync([new ChatMessage(ChatRole.User, "p")], options)).Text);
        Assert.Equal("item_semantics", Assert.Single(cache.ReadAll()).Task);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "p")], new ChatOptions());
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "p")], new ChatOptions());
        Assert.Equal(3, model.Calls);
        Assert.Single(cache.ReadAll());
    }

    [Fact]
    public async Task A_planned_call_is_set_aside_rendered_and_not_stored_and_its_batch_answer_is_then_a_hit()
    {
        using var dir = new TempDir();
        using var cache = await CallCache.OpenAsync(dir.Path);
        var plan = new CallPlan(continuePastUnknowns: true);
        var client = new PlanningChatClient(plan).AsBuilder().Use(inner => new CallCachingChatClient(inner, cache)).Build();
        var options = Call("k3").Attach(new ChatOptions { Temperature = 0 });
        var stand_in = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "rendered prompt")], options);
        Assert.True(CallCachingChatClient.IsUnanswered(stand_in));
        Assert.Equal(0, cache.Count);
        var planned = Assert.Single(plan.Calls);
        Assert.Equal(("k3", "item_semantics", "item-1", "rendered prompt"), (planned.Key, planned.Task, planned.Subject, planned.Messages[0].Text));
        Assert.Null(ChatCall.Of(planned.Options)); // what a batch file would send carries no cache identity

        cache.Add(new CachedCall { Key = "k3", Task = "item_semantics", Response = "from the batch", CreatedUtc = DateTime.UtcNow });
        var hit = await client.GetResponseAsync(new CountedPrompt("never rendered"), options);
        Assert.Equal("from the batch", hit.Text);
        Assert.Single(plan.Calls);
    }

    /// <summary>Records each request body on its way to the fake server.</summary>
    private sealed class BodyRecorder() : DelegatingHandler(new SocketsHttpHandler())
    {
        public readonly List<string> Bodies = [];
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                var body = await request.Content.ReadAsStringAsync(cancellationToken);
                lock (Bodies) Bodies.Add(body);
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }

    [Theory]
    [InlineData("ollama")]
    [InlineData("openai")]
    [InlineData("azure_openai")]
    public async Task No_provider_request_carries_the_cache_identity(string kind)
    {
        using var server = new FakeLlmServer(_ => FakeReply.Text("{\"ok\": true}"));
        var recorder = new BodyRecorder();
        Environment.SetEnvironmentVariable("CROSSDOMAIN_TEST_IDENTITY_KEY", "k");
        try
        {
            using var connection = ChatClientFactory.Create(new ChatProviderOptions
            {
                Provider = kind, Model = "m", Endpoint = kind == "openai" ? new Uri(server.BaseUri, "v1") : server.BaseUri,
                ApiKeyVariable = kind == "ollama" ? null : "CROSSDOMAIN_TEST_IDENTITY_KEY",
            }, recorder);
            var options = Call("a-distinctive-cache-key").Attach(new ChatOptions { Temperature = 0 });
            Assert.Equal("{\"ok\": true}", (await connection.Client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], options)).Text);
            var body = Assert.Single(recorder.Bodies);
            Assert.DoesNotContain("a-distinctive-cache-key", body);
            Assert.DoesNotContain("crossdomain", body);
            Assert.NotNull(ChatCall.Of(options)); // the caller's options are not changed
        }
        finally { Environment.SetEnvironmentVariable("CROSSDOMAIN_TEST_IDENTITY_KEY", null); }
    }

    /// <summary>Unit-length vectors from a text's bytes; counts requests and texts.</summary>
    private sealed class BytesEmbedder : IEmbeddingGenerator<string, Embedding<float>>
    {
        public int Requests, Texts;
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Requests++;
            var list = values.ToList();
            Texts += list.Count;
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(list.Select(t =>
                new Embedding<float>(Encoding.UTF8.GetBytes(t.PadRight(4)).Take(4).Select(b => (float)b).ToArray()))));
        }
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    [Fact]
    public async Task The_embedding_cache_stores_normalised_vectors_under_the_existing_keys_and_sends_only_misses()
    {
        using var dir = new TempDir();
        using var cache = await CallCache.OpenAsync(dir.Path);
        var model = new BytesEmbedder();
        CallCachingEmbeddingGenerator? cached = null;
        var generator = model.AsBuilder()
            .Use(inner => cached = new CallCachingEmbeddingGenerator(inner, cache, "openai", "e"))
            .Use(inner => new NormalizingEmbeddingGenerator(inner))
            .Build();
        var first = await generator.GenerateAsync(["abcd", "wxyz"]);
        Assert.Equal(1.0, Math.Sqrt(first[0].Vector.ToArray().Sum(x => (double)x * x)), 5);
        var again = await generator.GenerateAsync(["wxyz", "new text", "abcd"]);
        Assert.Equal(first[1].Vector.ToArray(), again[0].Vector.ToArray()); // bit-identical from the cache
        Assert.Equal(first[0].Vector.ToArray(), again[2].Vector.ToArray());
        Assert.Equal((2, 3), (model.Requests, model.Texts)); // the second call sent only its miss
        Assert.Equal((2L, 3L), (cached!.Hits, cached.Stored));
        // Keys as the embed stage always wrote them, so caches from before the middleware stay valid.
        Assert.True(cache.TryGet(CallKey.Of("embedding", "openai", "e", "new text"), out var row));
        Assert.Equal(("embedding", "new text"), (row.Task, cache.ReadAll().Single(r => r.Key == row.Key).Subject));
    }
}
