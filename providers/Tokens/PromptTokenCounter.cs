using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace CrossDomain.Providers.Tokens;

/// <summary>
/// Counts the tokens a chat request sends: the model's own tokenizer where it is known (OpenAI's models through
/// Microsoft.ML.Tokenizers' tiktoken vocabularies), else a stated approximation of one token per four characters.
/// </summary>
public sealed class PromptTokenCounter
{
    // OpenAI's chat format adds a few tokens per message (role and separators) and primes the reply with 3:
    // the figures of OpenAI's cookbook "How to count tokens with tiktoken" for the gpt-4o family.
    private const int PerMessage = 3;
    private const int ReplyPriming = 3;
    private const double CharactersPerToken = 4.0;

    private readonly Tokenizer? _tokenizer;

    /// <summary>What the counts rest on, for the estimate's output.</summary>
    public string Description { get; }

    /// <summary>Whether the counts come from the model's tokenizer (false: the approximation).</summary>
    public bool IsExact => _tokenizer is not null;

    private PromptTokenCounter(Tokenizer? tokenizer, string description)
    {
        _tokenizer = tokenizer;
        Description = description;
    }

    /// <summary>
    /// The counter for a model by name. Ollama models and Azure deployment names that are not model names have no
    /// known tokenizer here, so they get the approximation (and say so).
    /// </summary>
    public static PromptTokenCounter For(string provider, string model)
    {
        try
        {
            var tokenizer = TiktokenTokenizer.CreateForModel(model);
            return new PromptTokenCounter(tokenizer, $"the tiktoken tokenizer of {model}");
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or InvalidOperationException)
        {
            return Approximate($"no tokenizer is known for {provider} model '{model}'");
        }
    }

    public static PromptTokenCounter Approximate(string why) =>
        new(null, $"an approximation of one token per {CharactersPerToken:0} characters ({why})");

    public int Count(string text) => _tokenizer?.CountTokens(text) ?? (int)Math.Ceiling(text.Length / CharactersPerToken);

    /// <summary>The tokens of a request's messages, with the chat format's per-message overhead.</summary>
    public int Count(IEnumerable<ChatMessage> messages) =>
        messages.Sum(m => PerMessage + Count(m.Text ?? "")) + ReplyPriming;
}
