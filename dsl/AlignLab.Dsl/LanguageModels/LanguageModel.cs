using AlignLab.Models;
using AlignLab.Models.Tokenization;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Dsl;

/// <summary>
/// A pretrained causal language model loaded from a Hugging Face folder (<see cref="Models.Load"/>), with its
/// tokenizer: scores token sequences and samples continuations of text prompts. <see cref="Policy"/> is the
/// <see cref="ISequencePolicy"/> every AlignLab method and estimator takes. Dispose it to free the weights.
/// </summary>
public sealed class LanguageModel : IDisposable
{
    private readonly ModelTokenizer? _tokenizer;
    private ChatTemplate? _chatTemplate;

    internal LanguageModel(string folder, CausalLm policy, ModelTokenizer? tokenizer)
    {
        Folder = folder;
        Policy = policy;
        _tokenizer = tokenizer;
    }

    /// <summary>The folder it was loaded from (absolute).</summary>
    public string Folder { get; }

    /// <summary>The model (GPT-2, Llama family or GPT-NeoX), an <see cref="ISequencePolicy"/>.</summary>
    public CausalLm Policy { get; }

    /// <summary>Its configuration (config.json).</summary>
    public TransformerConfig Config => Policy.ModelConfig;

    /// <summary>The folder's tokenizer. Throws <see cref="InvalidOperationException"/> when it has none.</summary>
    public ModelTokenizer Tokenizer => _tokenizer
        ?? throw new InvalidOperationException($"{Folder} has no tokenizer ({ModelTokenizer.FileNames}): give token ids instead of text.");

    /// <summary>Whether the folder has a tokenizer.</summary>
    public bool HasTokenizer => _tokenizer is not null;

    /// <summary>
    /// The folder's chat template (<see cref="ChatTemplate.Load"/>), read on first use. Throws
    /// <see cref="InvalidDataException"/> naming the folder when it has none or one of a family AlignLab does not render;
    /// give <see cref="EncodePrompt(IReadOnlyList{ChatMessage}, ChatTemplate?)"/> a template then.
    /// </summary>
    public ChatTemplate ChatTemplate => _chatTemplate ??= ChatTemplate.Load(Folder);

    /// <summary>
    /// The end-of-sequence ids, the model's end-token set <see cref="CausalLm.EndTokens"/> (config.json's eos_token_id,
    /// then generation_config.json's): generation stops at the first of them, as its log-probs do.
    /// </summary>
    public IReadOnlyList<int> EosIds => [.. Policy.EndTokens.Select(id => (int)id)];

    /// <summary>The folder's architecture, size, dtypes on disk, vocabulary, context length and tokenizer (<see cref="Models.Info"/>).</summary>
    public ModelInfo Info() => ModelInfo.Read(Folder);

    /// <summary>
    /// The ids of <paramref name="text"/> as a prompt (BOS first when the tokenizer adds one; see
    /// <see cref="ModelTokenizer.EncodePrompt"/>). Empty text is an <see cref="ArgumentException"/>.
    /// </summary>
    public IReadOnlyList<int> EncodePrompt(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) throw new ArgumentException("the text is empty.", nameof(text));
        return Tokenizer.EncodePrompt(text);
    }

    /// <summary>
    /// The ids of a conversation as a prompt for this instruct model: <paramref name="messages"/> rendered by
    /// <paramref name="template"/> (default: the folder's <see cref="ChatTemplate"/>) with the generation prompt, then
    /// <see cref="EncodePrompt(string)"/>, which adds no second BOS when the rendering starts with one.
    /// </summary>
    /// <exception cref="ArgumentException">No messages, or a conversation the template refuses.</exception>
    /// <exception cref="InvalidDataException">No template given and the folder has none AlignLab renders.</exception>
    public IReadOnlyList<int> EncodePrompt(IReadOnlyList<ChatMessage> messages, ChatTemplate? template = null) =>
        EncodePrompt((template ?? ChatTemplate).Render(messages));

    /// <summary>
    /// The log-probability of each token given the ones before it: element i is log π(ids[i+1] | ids[0..i]), so there
    /// is one fewer than ids. Nothing is added to <paramref name="ids"/> (no BOS). Exact float32 forward pass, no sampling.
    /// </summary>
    /// <exception cref="ArgumentException">No ids, an id outside the vocabulary, or more ids than the context length.</exception>
    public double[] LogProbs(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        CheckIds(ids, nameof(ids));
        if (ids.Count < 2) return [];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = Policy.parameters().First().device;
        var tokens = tensor(ids.Select(i => (long)i).ToArray(), ScalarType.Int64, device).unsqueeze(0);
        // Straight from the logits rather than TokenLogProbs, which counts nothing after an end token: here every
        // position is scored, whatever tokens the sequence holds.
        var logits = Policy.forward(tokens[.., ..^1]);
        var logp = functional.log_softmax(logits.to(ScalarType.Float64), -1).gather(-1, tokens[.., 1..].unsqueeze(-1)).squeeze(-1).squeeze(0);
        return logp.cpu().data<double>().ToArray();
    }

    /// <summary>Samples continuations of one prompt (see <see cref="Generate(IReadOnlyList{string}, GenerationOptions)"/>).</summary>
    public IReadOnlyList<Generation> Generate(string prompt, GenerationOptions? options = null) => Generate([prompt], options)[0];

    /// <summary>
    /// Samples <see cref="GenerationOptions.N"/> continuations of each prompt, all prompts in one left-padded batch with
    /// each prompt's KV cache shared by its n samples; stops each at the first end-of-sequence token. Result[i][j] is
    /// sample j of prompt i. Same options ⇒ same samples.
    /// </summary>
    /// <exception cref="ArgumentException">An empty prompt, invalid options, or a prompt plus MaxNewTokens longer than the context.</exception>
    public IReadOnlyList<IReadOnlyList<Generation>> Generate(IReadOnlyList<string> prompts, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("no prompts.", nameof(prompts));
        options = (options ?? new GenerationOptions()).Validate();
        var encoded = prompts.Select(EncodePrompt).ToArray();
        var longest = encoded.Max(e => e.Count);
        if (longest + options.MaxNewTokens > Config.MaxPositions)
            throw new ArgumentException($"a prompt of {longest} tokens plus max-new-tokens {options.MaxNewTokens} exceeds the model's context length {Config.MaxPositions}.", nameof(prompts));
        var eos = EosIds;
        var endTokens = Policy.EndTokens;

        using var scope = NewDisposeScope();
        var device = Policy.parameters().First().device;
        var (padded, mask) = PromptPadding.LeftPad(encoded, 0, device);
        using var generator = new Generator((ulong)options.Seed, device);
        using var batch = Policy.Sample(padded, options.N, options.Sampling(endTokens), generator,
            encoded.Any(e => e.Count < longest) ? mask : null);
        var responses = batch.Responses.cpu().data<long>().ToArray();
        var tokenLogProbs = batch.TokenLogProbs.to(ScalarType.Float64).cpu().data<double>().ToArray();
        var length = (int)batch.Responses.shape[1];

        var result = new List<IReadOnlyList<Generation>>(prompts.Count);
        for (var i = 0; i < prompts.Count; i++)
        {
            var samples = new List<Generation>(options.N);
            for (var j = 0; j < options.N; j++)
            {
                var row = (i * options.N + j) * length;
                var ids = new List<int>(length);
                double logProb = 0;
                var finished = false;
                for (var t = 0; t < length && !finished; t++)
                {
                    ids.Add((int)responses[row + t]);
                    logProb += tokenLogProbs[row + t];
                    finished = eos.Contains(ids[^1]);
                }
                samples.Add(new Generation(prompts[i], j, ids, Continuation(encoded[i], finished ? ids[..^1] : ids), logProb, finished));
            }
            result.Add(samples);
        }
        return result;
    }

    /// <summary>The text <paramref name="continuation"/> adds after <paramref name="prompt"/>.</summary>
    private string Continuation(IReadOnlyList<int> prompt, IReadOnlyList<int> continuation)
    {
        // Rows of the embedding beyond the tokenizer's tokens (vocab_size padded to a multiple of 64 or 128) have no
        // text, as in the Hugging Face decoders.
        continuation = continuation.Where(Tokenizer.HasToken).ToArray();
        // Decoded together and the prompt's text cut off, because a SentencePiece continuation decoded alone would
        // lose the space its first token starts with.
        var before = Tokenizer.Decode(prompt);
        var all = Tokenizer.Decode([.. prompt, .. continuation]);
        return all.StartsWith(before, StringComparison.Ordinal) ? all[before.Length..] : Tokenizer.Decode(continuation);
    }

    private void CheckIds(IReadOnlyList<int> ids, string name)
    {
        if (ids.Count == 0) throw new ArgumentException("no token ids.", name);
        if (ids.Count > Config.MaxPositions)
            throw new ArgumentException($"{ids.Count} token ids exceed the model's context length {Config.MaxPositions}.", name);
        foreach (var id in ids)
        {
            if (id < 0 || id >= Config.VocabSize)
                throw new ArgumentException($"token id {id} is outside the vocabulary (0..{Config.VocabSize - 1}).", name);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Policy.Dispose();
}
