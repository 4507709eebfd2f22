using AlignLab.Engine.Sampling;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Engine.Models;

/// <summary>
/// A small decoder-only transformer language model (nanoGPT's shape): a <see cref="TransformerTrunk"/> whose output
/// layer is the transposed token embedding (weight tying: one matrix both reads and writes tokens, fewer parameters
/// and better small-data fits). As an <see cref="ISequencePolicy"/>, π(y|x) = Π_t softmax(logits)[y_t] over the
/// response tokens after a fixed-length prompt; generation uses a <see cref="KvCache"/>.
/// </summary>
public sealed class TinyGpt : Module, ISequencePolicy
{
    private TransformerTrunk trunk;

    /// <summary>Creates a freshly initialised model (initialisation draws from torch's global generator).</summary>
    public TinyGpt(TinyGptConfig config) : base(nameof(TinyGpt))
    {
        trunk = new TransformerTrunk(config);
        RegisterComponents();
    }

    /// <summary>The configuration.</summary>
    public TinyGptConfig Config => trunk.Config;

    /// <summary>The transformer body.</summary>
    public TransformerTrunk Trunk => trunk;

    /// <summary>Number of trainable parameters (the tied embedding counted once).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <inheritdoc />
    public Module Module => this;

    /// <inheritdoc />
    public int PromptLength => Config.PromptLength;

    /// <summary>Next-token logits [B, T, V] at every position of <paramref name="tokens"/> [B, T] (see <see cref="TransformerTrunk.forward"/> for the cache).</summary>
    public Tensor forward(Tensor tokens, KvCache? cache = null)
    {
        using var hidden = trunk.forward(tokens, cache);
        return functional.linear(hidden, trunk.TokenEmbedding);
    }

    /// <inheritdoc />
    public Tensor SequenceLogProbs(Tensor prompts, Tensor responses) => TokenLogProbs(prompts, responses).sum(1);

    /// <summary>
    /// log π(y_t | x, y_&lt;t) of each response token, [B, L], differentiable; 0 after the first <see cref="TinyGptConfig.EndToken"/>.
    /// </summary>
    public Tensor TokenLogProbs(Tensor prompts, Tensor responses)
    {
        CheckPair(prompts, responses);
        using var scope = NewDisposeScope();
        int p = (int)prompts.shape[1], l = (int)responses.shape[1];
        var input = cat([prompts, responses[TensorIndex.Colon, TensorIndex.Slice(0, l - 1)]], 1);
        var logits = forward(input)[TensorIndex.Colon, TensorIndex.Slice(p - 1)];
        var logp = functional.log_softmax(logits, -1).gather(-1, responses.unsqueeze(-1)).squeeze(-1);
        if (Config.EndToken >= 0)
        {
            var isEnd = responses.eq(Config.EndToken).to(ScalarType.Int32);
            logp = logp.masked_fill((isEnd.cumsum(1) - isEnd).gt(0), 0);
        }
        return logp.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public SampleBatch Sample(Tensor prompts, int samplesPerPrompt, SamplingOptions options, Generator generator) =>
        AncestralSampler.Sample(this, prompts, samplesPerPrompt, options, generator);

    private void CheckPair(Tensor prompts, Tensor responses)
    {
        if (prompts.dim() != 2 || prompts.shape[1] != PromptLength)
            throw new ArgumentException($"prompts must be [B, {PromptLength}] token ids (got [{string.Join(", ", prompts.shape)}]).", nameof(prompts));
        if (responses.dim() != 2 || responses.shape[1] < 1)
            throw new ArgumentException($"responses must be [B, L] token ids with L >= 1 (got [{string.Join(", ", responses.shape)}]).", nameof(responses));
        if (prompts.shape[0] != responses.shape[0])
            throw new ArgumentException($"prompts has {prompts.shape[0]} rows but responses has {responses.shape[0]}; batch sizes must match.", nameof(responses));
        if (PromptLength + responses.shape[1] > Config.MaxLength)
            throw new ArgumentException($"prompt + response length {PromptLength + responses.shape[1]} exceeds MaxLength {Config.MaxLength}.", nameof(responses));
    }
}
