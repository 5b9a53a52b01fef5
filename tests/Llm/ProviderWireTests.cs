using CrossDomain.FakeServers;
using CrossDomain.Providers.Chat;
using CrossDomain.Stages.Extract;
using Microsoft.Extensions.AI;

namespace CrossDomain.Tests.Llm;

/// <summary>The real client libraries against the fake servers, and what happens to secrets.</summary>
public sealed class ProviderWireTests
{
    private const string Secret = "sk-test-DO-NOT-LEAK-0123456789";

    [Theory]
    [InlineData("ollama", "/api/chat")]
    [InlineData("openai", "/v1/chat/completions")]
    [InlineData("azure_openai", "/openai/deployments/my-deployment/chat/completions")]
    public async Task Each_provider_speaks_its_wire_format_and_sends_the_key(string kind, string path)
    {
        using var server = new FakeLlmServer(_ => FakeReply.Text("{\"ok\": true}"));
        var variable = $"CROSSDOMAIN_TEST_KEY_{kind}";
        Environment.SetEnvironmentVariable(variable, Secret);
        try
        {
            using var connection = ChatClientFactory.Create(new ChatProviderOptions
            {
                Provider = kind, Model = kind == "azure_openai" ? "my-deployment" : "m",
                Endpoint = kind == "openai" ? new Uri(server.BaseUri, "v1") : server.BaseUri,
                ApiKeyVariable = kind == "ollama" ? null : variable,
            });
            var response = await connection.Client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")],
                new ChatOptions { Temperature = 0, ResponseFormat = ChatResponseFormat.Json });
            Assert.Equal("{\"ok\": true}", response.Text);
            Assert.Equal(10, response.Usage?.InputTokenCount);
            var request = Assert.Single(server.Received);
            Assert.Equal(path, request.Path);
            Assert.Equal(0.0, request.Temperature);
            if (kind == "openai") Assert.Equal($"Bearer {Secret}", request.Headers["Authorization"]);
            if (kind == "azure_openai") Assert.Equal(Secret, request.Headers["api-key"]);
            Assert.Equal(0, connection.Counters.Retries);
        }
        finally { Environment.SetEnvironmentVariable(variable, null); }
    }

    [Fact]
    public void A_missing_key_names_the_variable_not_a_value()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ChatClientFactory.Create(new ChatProviderOptions
        {
            Provider = "openai", Model = "m", Endpoint = new Uri("http://127.0.0.1:9/v1"), ApiKeyVariable = "CROSSDOMAIN_UNSET_KEY_VARIABLE",
        }));
        Assert.Contains("CROSSDOMAIN_UNSET_KEY_VARIABLE", e.Message);
    }

    [Fact]
    public async Task The_api_key_never_reaches_logs_lock_artifacts_or_errors()
    {
        // A hostile server echoes the Authorization header into its error bodies.
        using var f = new ExtractFixture(itemsPerDomain: 1, script: r => FakeLlmOracle.Task(r) == "item_description"
            ? FakeReply.Error(400, body: $"{{\"error\":{{\"message\":\"bad request from {r.Headers.GetValueOrDefault("Authorization")}\"}}}}")
            : FakeLlmOracle.Answer(r));
        Environment.SetEnvironmentVariable("CROSSDOMAIN_LEAK_TEST_KEY", Secret);
        try
        {
            var p = f.Params("openai");
            p.Llm.ApiKeyEnv = "CROSSDOMAIN_LEAK_TEST_KEY";
            var e = await Assert.ThrowsAsync<CrossDomain.Engine.Stages.StageException>(() => f.RunAsync(p));
            Assert.Contains("bad request from", e.Message); // the server's message is kept...
            Assert.DoesNotContain(Secret, e.Message);        // ...without the key
            Assert.Contains(f.Server.Received, r => r.Headers.GetValueOrDefault("Authorization") == $"Bearer {Secret}");
            Assert.DoesNotContain(f.Log.Lines, l => l.Contains(Secret));
            foreach (var file in Directory.EnumerateFiles(f.Dir.Path, "*", SearchOption.AllDirectories))
                Assert.DoesNotContain(Secret, File.ReadAllText(file));
        }
        finally { Environment.SetEnvironmentVariable("CROSSDOMAIN_LEAK_TEST_KEY", null); }
    }
}
