using AlignLab.Engine.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Sampling;

/// <summary>
/// Batched ancestral sampling from a <see cref="TinyGpt"/>: y_t ~ softmax(filter(logits_t / temperature)) token by token,
/// with top-k and nucleus (top-p) filtering, a maximum length and an optional end token. For best-of-n the prompt is
/// encoded once and its KV cache copied to the n continuations (<see cref="SamplingOptions.SharePromptCache"/>); the
/// uncached path re-runs the whole sequence each step and draws the same random numbers, so it gives the same tokens.
/// </summary>
public static class AncestralSampler
{
    /// <summary>
    /// Draws <paramref name="samplesPerPrompt"/> responses for each row of <paramref name="prompts"/> [B, P] (int64),
    /// returned prompt-major with per-token log-probs under the sampling distribution. Throws ArgumentException for
    /// n &lt; 1, invalid options, prompts of the wrong shape, or a response longer than the model allows.
    /// </summary>
    public static SampleBatch Sample(TinyGpt model, Tensor prompts, int samplesPerPrompt, SamplingOptions options, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        if (samplesPerPrompt < 1) throw new ArgumentException($"samplesPerPrompt must be >= 1 (got {samplesPerPrompt}).", nameof(samplesPerPrompt));
        options.Validate();
        var config = model.Config;
        if (prompts.dim() != 2 || prompts.shape[1] != config.PromptLength || prompts.dtype != ScalarType.Int64)
            throw new ArgumentException($"prompts must be int64 [B, {config.PromptLength}] (got {prompts.dtype} [{string.Join(", ", prompts.shape)}]).", nameof(prompts));
        if (options.MaxLength > config.MaxResponseLength)
            throw new ArgumentException($"MaxLength {options.MaxLength} exceeds the model's longest response {config.MaxResponseLength}.", nameof(options));
        if (options.EndToken >= config.VocabSize)
            throw new ArgumentException($"EndToken {options.EndToken} is not a token of a {config.VocabSize}-token vocabulary.", nameof(options));

        using var outer = NewDisposeScope();
        using var noGrad = no_grad();
        int n = samplesPerPrompt;
        var device = prompts.device;
        var repeated = prompts.repeat_interleave(n, dim: 0);
        long rows = repeated.shape[0];
        KvCache? cache = null;
        Tensor logits;
        if (!options.UseKvCache)
            logits = model.forward(repeated)[TensorIndex.Colon, -1];
        else if (options.SharePromptCache && n > 1)
        {
            using var promptCache = model.Trunk.NewCache(prompts.shape[0], device);
            logits = model.forward(prompts, promptCache)[TensorIndex.Colon, -1].repeat_interleave(n, dim: 0);
            cache = promptCache.RepeatRows(n);
        }
        else
        {
            cache = model.Trunk.NewCache(rows, device);
            logits = model.forward(repeated, cache)[TensorIndex.Colon, -1];
        }

        var tokens = new List<Tensor>();
        var tokenLogProbs = new List<Tensor>();
        var done = zeros(rows, ScalarType.Bool, device);
        for (int t = 0; t < options.MaxLength; t++)
        {
            using var step = NewDisposeScope();
            var (token, logp) = Draw(logits, options, generator);
            if (options.EndToken >= 0)
            {
                token = token.masked_fill(done, options.EndToken);
                logp = logp.masked_fill(done, 0);
                done.bitwise_or_(token.eq(options.EndToken));
            }
            tokens.Add(token.MoveToOuterDisposeScope());
            tokenLogProbs.Add(logp.MoveToOuterDisposeScope());
            if (t == options.MaxLength - 1) break;
            logits = options.UseKvCache
                ? model.forward(token.unsqueeze(1), cache)[TensorIndex.Colon, -1]
                : model.forward(cat([repeated, stack(tokens, 1)], 1))[TensorIndex.Colon, -1];
            logits.MoveToOuterDisposeScope();
        }
        var responses = stack(tokens, 1);
        var tokenLp = stack(tokenLogProbs, 1);
        var batch = new SampleBatch(repeated, responses, tokenLp, tokenLp.sum(1), n);
        foreach (var t in new[] { repeated, responses, tokenLp, batch.LogProbs }) t.MoveToOuterDisposeScope();
        return batch;
    }

    /// <summary>
    /// One token per row from next-token <paramref name="logits"/> [N, V]: temperature, then top-k, then top-p
    /// filtering, then a draw with <paramref name="generator"/>. Returns the tokens [N] and their log-probs [N] under
    /// the filtered distribution.
    /// </summary>
    public static (Tensor Tokens, Tensor LogProbs) Draw(Tensor logits, SamplingOptions options, Generator generator)
    {
        using var scope = NewDisposeScope();
        var z = logits.to(ScalarType.Float32);
        if (options.Temperature != 1.0) z = z / options.Temperature;
        long v = z.shape[^1];
        if (options.TopK > 0 && options.TopK < v)
        {
            var kth = z.topk(options.TopK, dim: -1).values[TensorIndex.Colon, TensorIndex.Slice(-1)];
            z = z.masked_fill(z.lt(kth), double.NegativeInfinity);
        }
        if (options.TopP < 1.0)
        {
            var (sorted, order) = z.sort(-1, descending: true);
            var probs = sorted.softmax(-1);
            // Drop a token when the tokens ranked above it already reach p; the first always stays.
            var drop = (probs.cumsum(-1) - probs).ge(options.TopP);
            z = z.masked_fill(zeros_like(drop).scatter(-1, order, drop), double.NegativeInfinity);
        }
        var logp = z.log_softmax(-1);
        var token = logp.exp().multinomial(1, generator: generator);
        return (token.squeeze(1).MoveToOuterDisposeScope(), logp.gather(-1, token).squeeze(1).MoveToOuterDisposeScope());
    }
}
