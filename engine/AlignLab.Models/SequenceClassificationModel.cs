using AlignLab.Models.Families;
using AlignLab.Models.HuggingFace;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Models;

/// <summary>
/// A reward model in the layout of transformers' <c>GPT2ForSequenceClassification</c>,
/// <c>LlamaForSequenceClassification</c> (also Mistral, Qwen2) and <c>GPTNeoXForSequenceClassification</c> with one
/// label: the architecture's body (<see cref="ITransformerBody"/>, the same implementation the language models use)
/// and a bias-free linear <c>score</c> head [1, D], read at the last non-padding token of each row:
/// r(x, y) = w · h_last(x ⊕ y). Checkpoint names are the body's prefix (<c>transformer.</c>, <c>model.</c>,
/// <c>gpt_neox.</c>) plus <c>score.weight</c>.
/// </summary>
public sealed class SequenceClassificationModel : Module, IHuggingFaceLayout
{
    private readonly ITransformerBody _body;
    private readonly Linear _score;
    private readonly string _prefix;

    /// <summary>Creates a freshly initialised model of the architecture <paramref name="config"/> names (N(0, 0.02) weights, from torch's global generator).</summary>
    public SequenceClassificationModel(TransformerConfig config) : base(nameof(SequenceClassificationModel))
    {
        ModelConfig = config.Validate();
        Module body;
        (_prefix, body) = config.ModelType switch
        {
            "gpt2" => ("transformer", (Module)new Gpt2Model(config)),
            "gpt_neox" => ("gpt_neox", new GptNeoXModel(config)),
            _ => ("model", new LlamaModel(config)),
        };
        // Llama and NeoX bodies are initialised by their owner (GPT-2's initialises itself, with its depth scaling).
        if (config.ModelType != "gpt2") CausalLm.InitialiseNormal(body, 0.02);
        _body = (ITransformerBody)body;
        _score = Linear(config.HiddenSize, 1, hasBias: false);
        using (no_grad()) init.normal_(_score.weight!, 0, 0.02);
        // Registered by hand: the body's name is the checkpoint's prefix, which depends on the architecture.
        register_module(_prefix, body);
        register_module("score", _score);
    }

    /// <inheritdoc />
    public TransformerConfig ModelConfig { get; }

    /// <summary>The transformers class this layout is saved as (config.json's <c>architectures</c>).</summary>
    public string ArchitectureName => ModelConfig.ModelType switch
    {
        "gpt2" => "GPT2ForSequenceClassification",
        "gpt_neox" => "GPTNeoXForSequenceClassification",
        "mistral" => "MistralForSequenceClassification",
        "qwen2" => "Qwen2ForSequenceClassification",
        "qwen3" => "Qwen3ForSequenceClassification",
        "gemma" => "GemmaForSequenceClassification",
        "gemma2" => "Gemma2ForSequenceClassification",
        _ => "LlamaForSequenceClassification",
    };

    /// <summary>
    /// Scores [B] of <paramref name="tokens"/> [B, T], differentiable: the score head at the last position where
    /// <paramref name="mask"/> [B, T] is 1 (null: every position is real). Rows may be right-padded, as transformers pads
    /// its reward batches; padding is never attended to, so a row scores the same alone and in any batch.
    /// </summary>
    public Tensor forward(Tensor tokens, Tensor? mask = null)
    {
        if (tokens.dim() != 2 || tokens.shape[1] < 1)
            throw new ArgumentException($"tokens must be [B, T] token ids with T >= 1 (got [{string.Join(", ", tokens.shape)}]).", nameof(tokens));
        if (mask is not null && !mask.shape.SequenceEqual(tokens.shape))
            throw new ArgumentException($"mask must have the tokens' shape [{string.Join(", ", tokens.shape)}] (got [{string.Join(", ", mask.shape)}]).", nameof(mask));
        if (tokens.shape[1] > ModelConfig.MaxPositions)
            throw new ArgumentException($"Sequence of {tokens.shape[1]} positions exceeds the model's MaxLength {ModelConfig.MaxPositions}.", nameof(tokens));
        using var scope = NewDisposeScope();
        var keyMask = mask?.to(ScalarType.Int64);
        var hidden = _body.forward(tokens, null, keyMask, null);
        long t = tokens.shape[1];
        // transformers' last non-padding index: the largest position whose mask is 1.
        var last = keyMask is null
            ? full([tokens.shape[0]], t - 1, ScalarType.Int64, tokens.device)
            : (arange(t, ScalarType.Int64, tokens.device) * keyMask).argmax(1);
        var h = hidden.gather(1, last.view(-1, 1, 1).expand(-1, 1, hidden.shape[2])).squeeze(1);
        return _score.forward(h).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A reward model on the trunk of <paramref name="languageModel"/>: its body's weights copied (LoRA adapters merged),
    /// its language-model head dropped, and a fresh score head w ~ N(0, <paramref name="headStd"/>²) drawn from a
    /// generator seeded with <paramref name="seed"/> (transformers initialises the head with its initializer_range, 0.02),
    /// so the same trunk and seed give the same model; torch's global generator is left as it was. The starting point of
    /// Bradley–Terry reward modelling.
    /// </summary>
    public static SequenceClassificationModel FromCausalLm(CausalLm languageModel, long seed, double headStd = 0.02)
    {
        ArgumentNullException.ThrowIfNull(languageModel);
        if (!(headStd > 0 && double.IsFinite(headStd))) throw new ArgumentException($"headStd must be > 0 (got {headStd}).", nameof(headStd));
        var source = Lora.LoraAdapters.MergedState(languageModel);
        // The body's random initialisation is overwritten; torch's global generator is put back so that building a
        // reward model does not shift the caller's later draws.
        using var globalState = random.get_rng_state();
        var model = new SequenceClassificationModel(languageModel.ModelConfig);
        random.set_rng_state(globalState);
        try
        {
            using var noGrad = no_grad();
            var device = source.Values.First().device;
            model.to(device);
            foreach (var (name, target) in model.state_dict())
            {
                if (name == "score.weight") continue;
                if (!source.TryGetValue(name, out var value))
                    throw new ArgumentException($"the language model has no '{name}' to copy into the reward model's trunk.", nameof(languageModel));
                target.copy_(value);
            }
            using var generator = new Generator((ulong)seed, device);
            // Tensor.normal_, not init.normal_, whose generator argument TorchSharp 0.107 ignores (it draws from the global generator).
            model._score.weight!.normal_(0, headStd, generator: generator);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Rewards r(x, y) [B] of prompt ⊕ response rows, differentiable: <paramref name="prompts"/> [B, P] left-padded where
    /// <paramref name="promptMask"/> [B, P] is 0 (null: no padding), <paramref name="responses"/> [B, L] cut before their
    /// first token in <paramref name="endTokens"/> (null: the config's <see cref="TransformerConfig.EndTokens"/>), padding after it ignored, as
    /// the engine's <c>SequenceClassifierReward</c> scores a policy's samples. The score is read at the last real
    /// token, so a row scores the same alone and in any batch; a batch is as wide as its longest row (prompt plus
    /// response), whatever the tensors' padded widths. Every row needs at least one real prompt token.
    /// </summary>
    public Tensor ScoreResponses(Tensor prompts, Tensor responses, Tensor? promptMask = null, IReadOnlyList<long>? endTokens = null)
    {
        if (prompts.dim() != 2 || responses.dim() != 2 || prompts.shape[0] != responses.shape[0])
            throw new ArgumentException($"prompts [B, P] and responses [B, L] must have the same rows (got [{string.Join(", ", prompts.shape)}] and [{string.Join(", ", responses.shape)}]).", nameof(responses));
        if (promptMask is not null && !promptMask.shape.SequenceEqual(prompts.shape))
            throw new ArgumentException($"promptMask must have the prompts' shape [{string.Join(", ", prompts.shape)}] (got [{string.Join(", ", promptMask.shape)}]).", nameof(promptMask));
        CausalLm.CheckLeftPadded(promptMask);
        using var scope = NewDisposeScope();
        var isEnd = ResponseEnds.IsEnd(responses, endTokens ?? ModelConfig.EndTokens).to(ScalarType.Int64);
        var beforeEnd = isEnd.cumsum(1).eq(0).to(ScalarType.Int64);
        var promptLengths = (promptMask?.to(ScalarType.Int64) ?? ones_like(prompts, ScalarType.Int64)).sum(1, keepdim: true);
        var lengths = promptLengths + beforeEnd.sum(1, keepdim: true);
        // A row's real tokens are contiguous in prompt ⊕ response (the prompt's padding is on its left, the response's on
        // its right): shifted left they form a right-padded batch as wide as its longest row, which fits the positions
        // whenever every row does, and costs no more than that row.
        var all = cat([prompts, responses], 1);
        long width = lengths.max().item<long>();
        var columns = arange(width, ScalarType.Int64, prompts.device).unsqueeze(0);
        var index = (prompts.shape[1] - promptLengths + columns).clamp_max(all.shape[1] - 1);
        var tokens = all.gather(1, index);
        var mask = columns.lt(lengths).to(ScalarType.Int64);
        return forward(tokens, mask).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public string? StateNameOf(string key) => StateName(ModelConfig, key);

    /// <summary><see cref="StateNameOf"/> without a model: only the buffers old checkpoints carry are skipped.</summary>
    internal static string? StateName(TransformerConfig config, string key) => config.ModelType switch
    {
        "gpt2" when Gpt2LmHeadModel.IsBuffer(key) => null,
        "gpt_neox" when GptNeoXForCausalLm.IsBuffer(key) => null,
        _ when LlamaForCausalLm.ModelTypes.Contains(config.ModelType) && LlamaForCausalLm.IsBuffer(key) => null,
        _ => key,
    };

    /// <inheritdoc />
    public string CheckpointKeyOf(string stateName) => stateName;

    /// <inheritdoc />
    public bool StoredTransposed(string stateName) => ModelConfig.ModelType == "gpt2" && Gpt2LmHeadModel.IsConv1D(stateName);
}
