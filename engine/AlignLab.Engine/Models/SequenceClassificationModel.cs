using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Engine.Models;

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

    /// <inheritdoc />
    public string? StateNameOf(string key) => ModelConfig.ModelType switch
    {
        "gpt2" when Gpt2LmHeadModel.IsBuffer(key) => null,
        "gpt_neox" when GptNeoXForCausalLm.IsBuffer(key) => null,
        "llama" or "mistral" or "qwen2" when LlamaForCausalLm.IsBuffer(key) => null,
        _ => key,
    };

    /// <inheritdoc />
    public string CheckpointKeyOf(string stateName) => stateName;

    /// <inheritdoc />
    public bool StoredTransposed(string stateName) => ModelConfig.ModelType == "gpt2" && Gpt2LmHeadModel.IsConv1D(stateName);
}
