using AlignLab.Models.Generation;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Models;

/// <summary>
/// A decoder-only language model as an <see cref="ISequencePolicy"/>: the part every architecture shares (GPT-2,
/// Llama family, GPT-NeoX each implement only <see cref="forward"/> and their checkpoint names). π(y|x) =
/// Π_t softmax(logits)[y_t] over the response tokens after the prompt.
/// <para>Variable-length batches: prompts are left-padded with a <c>promptMask</c> [B, P] (1 = token, 0 = padding);
/// position ids count only real tokens, padding is never attended to, so a row's log-probs do not depend on the batch
/// it is in. Responses are right-padded: a <c>responseMask</c> [B, L] zeroes the padding, and every token after the
/// first token from <see cref="EndTokens"/> counts 0 (as generation fills it).</para>
/// </summary>
public abstract class CausalLm : Module, ISequencePolicy, IHuggingFaceLayout
{
    /// <summary>Builds the shared part for <paramref name="config"/> (validated).</summary>
    protected CausalLm(string name, TransformerConfig config) : base(name)
    {
        ModelConfig = config.Validate();
    }

    /// <summary>The architecture's configuration (the fields of its config.json).</summary>
    public TransformerConfig ModelConfig { get; }

    /// <summary>
    /// The tokens that end a response (<see cref="TransformerConfig.EndTokens"/>; empty: none): a response ends at its
    /// first token from this set, and tokens after it do not count in log-probs.
    /// </summary>
    public IReadOnlyList<long> EndTokens => ModelConfig.EndTokens;

    /// <summary>The prompt length this model requires of every batch, or null for any (the toy model takes fixed-length prompts).</summary>
    public virtual int? RequiredPromptLength => null;

    /// <summary>Number of trainable parameters (a tied embedding counted once).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <inheritdoc />
    public Module Module => this;

    /// <summary>
    /// Next-token logits [B, T, V] at every position of <paramref name="tokens"/> [B, T]. With a
    /// <paramref name="cache"/>, the tokens follow the cache.Length positions already cached and are appended to it.
    /// <paramref name="keyMask"/> [B, cache.Length + T] marks real tokens (1) and padding (0) over every position seen
    /// so far (null: no padding); <paramref name="positionIds"/> [B, T] overrides the positions, which by default count
    /// the real tokens before each one.
    /// </summary>
    public abstract Tensor forward(Tensor tokens, KvCache? cache = null, Tensor? keyMask = null, Tensor? positionIds = null);

    /// <summary>An empty KV cache for <paramref name="batch"/> rows of up to <paramref name="capacity"/> positions, on the model's device and dtype.</summary>
    public KvCache NewCache(long batch, int capacity)
    {
        var p = parameters().First();
        return new KvCache(ModelConfig.Layers, batch, ModelConfig.KeyValueHeads, capacity, ModelConfig.HeadDim, p.dtype, p.device);
    }

    /// <inheritdoc />
    public Tensor SequenceLogProbs(Tensor prompts, Tensor responses, Tensor? promptMask = null, Tensor? responseMask = null) =>
        TokenLogProbs(prompts, responses, promptMask, responseMask).sum(1);

    /// <summary>
    /// log π(y_t | x, y_&lt;t) of each response token, [B, L], differentiable; 0 where <paramref name="responseMask"/> is 0
    /// and after the first token from <see cref="EndTokens"/> (<see cref="ResponseEnds.AfterEnd"/>). <paramref name="promptMask"/> marks left padding of the prompts.
    /// </summary>
    public Tensor TokenLogProbs(Tensor prompts, Tensor responses, Tensor? promptMask = null, Tensor? responseMask = null)
    {
        CheckBatch(prompts, responses, promptMask, responseMask);
        using var scope = NewDisposeScope();
        int p = (int)prompts.shape[1], l = (int)responses.shape[1];
        var input = cat([prompts, responses[TensorIndex.Colon, TensorIndex.Slice(0, l - 1)]], 1);
        // Response positions are never padding for the tokens that count, so only the prompt's padding is masked.
        var keyMask = promptMask is null ? null : cat([promptMask.to(ScalarType.Int64), ones([responses.shape[0], l - 1], ScalarType.Int64, responses.device)], 1);
        var logits = forward(input, null, keyMask)[TensorIndex.Colon, TensorIndex.Slice(p - 1)];
        var logp = functional.log_softmax(logits, -1).gather(-1, responses.unsqueeze(-1)).squeeze(-1);
        if (responseMask is not null) logp = logp.masked_fill(responseMask.eq(0), 0);
        if (EndTokens.Count > 0) logp = logp.masked_fill(ResponseEnds.AfterEnd(responses, EndTokens), 0);
        return logp.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public SampleBatch Sample(Tensor prompts, int samplesPerPrompt, SamplingOptions options, Generator generator, Tensor? promptMask = null) =>
        AncestralSampler.Sample(this, prompts, samplesPerPrompt, options, generator, promptMask);

    /// <summary>
    /// Position ids [B, T] (or [T] when nothing is padded) of <paramref name="t"/> new tokens after
    /// <paramref name="past"/> cached ones: the number of real tokens before each, so left padding does not shift them.
    /// </summary>
    internal static Tensor PositionIds(Tensor? keyMask, Tensor? positionIds, int past, long t, Device device)
    {
        if (positionIds is not null) return positionIds;
        if (keyMask is null) return arange(past, past + t, ScalarType.Int64, device);
        using var counts = keyMask.to(ScalarType.Int64).cumsum(1);
        return (counts[TensorIndex.Colon, TensorIndex.Slice(past)] - 1).clamp_min(0);
    }

    /// <summary>
    /// The name in this module's state_dict of checkpoint tensor <paramref name="key"/>, or null for a tensor the model
    /// does not keep (buffers such as <c>attn.bias</c>, <c>rotary_emb.inv_freq</c>, or a tied head's copy).
    /// </summary>
    public virtual string? StateNameOf(string key) => key;

    /// <summary>The checkpoint key under which state_dict entry <paramref name="stateName"/> is saved.</summary>
    public virtual string CheckpointKeyOf(string stateName) => stateName;

    /// <summary>Whether the checkpoint stores <paramref name="stateName"/> transposed relative to the module (GPT-2's Conv1D).</summary>
    public virtual bool StoredTransposed(string stateName) => false;

    /// <summary>Throws ArgumentException for mismatched shapes or a sequence longer than the model's positions.</summary>
    protected void CheckBatch(Tensor prompts, Tensor responses, Tensor? promptMask, Tensor? responseMask)
    {
        if (prompts.dim() != 2 || prompts.shape[1] < 1)
            throw new ArgumentException($"prompts must be [B, P] token ids with P >= 1 (got [{string.Join(", ", prompts.shape)}]).", nameof(prompts));
        if (responses.dim() != 2 || responses.shape[1] < 1)
            throw new ArgumentException($"responses must be [B, L] token ids with L >= 1 (got [{string.Join(", ", responses.shape)}]).", nameof(responses));
        if (prompts.shape[0] != responses.shape[0])
            throw new ArgumentException($"prompts has {prompts.shape[0]} rows but responses has {responses.shape[0]}; batch sizes must match.", nameof(responses));
        if (promptMask is not null && !promptMask.shape.SequenceEqual(prompts.shape))
            throw new ArgumentException($"promptMask must have the prompts' shape [{string.Join(", ", prompts.shape)}] (got [{string.Join(", ", promptMask.shape)}]).", nameof(promptMask));
        CheckLeftPadded(promptMask);
        if (responseMask is not null && !responseMask.shape.SequenceEqual(responses.shape))
            throw new ArgumentException($"responseMask must have the responses' shape [{string.Join(", ", responses.shape)}] (got [{string.Join(", ", responseMask.shape)}]).", nameof(responseMask));
        if (prompts.shape[1] + responses.shape[1] > ModelConfig.MaxPositions)
            throw new ArgumentException($"prompt + response length {prompts.shape[1] + responses.shape[1]} exceeds MaxLength {ModelConfig.MaxPositions}.", nameof(responses));
    }

    /// <summary>
    /// Throws ArgumentException unless <paramref name="promptMask"/> (when given) is left padding: the last prompt column
    /// must be a real token in every row, since the first response token is predicted from it.
    /// </summary>
    internal static void CheckLeftPadded(Tensor? promptMask)
    {
        if (promptMask is null) return;
        using var last = promptMask[TensorIndex.Colon, -1];
        using var padded = last.eq(0).any();
        if (padded.item<bool>())
            throw new ArgumentException("promptMask must mark left padding: the last prompt column must be a real token in every row.", nameof(promptMask));
    }

    /// <summary>Throws ArgumentException when <paramref name="positions"/> exceed the model's positions.</summary>
    protected void CheckLength(long positions)
    {
        if (positions > ModelConfig.MaxPositions)
            throw new ArgumentException($"Sequence of {positions} positions exceeds the model's MaxLength {ModelConfig.MaxPositions}.", "tokens");
    }

    /// <summary>
    /// Draws every weight matrix and embedding from N(0, std²) and zeroes every bias (norm weights stay 1): the
    /// standard initialisation of these architectures for a model built from scratch.
    /// </summary>
    internal static void InitialiseNormal(Module module, double std)
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in module.named_parameters())
        {
            if (name.EndsWith("bias")) init.zeros_(p);
            else if (p.dim() >= 2) init.normal_(p, 0, std);
        }
    }
}
