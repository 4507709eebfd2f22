using AlignLab.Models;
using AlignLab.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Models.Generation;

/// <summary>
/// Batched ancestral sampling from any <see cref="CausalLm"/>: y_t ~ softmax(filter(logits_t / temperature)) token by
/// token, with top-k and nucleus (top-p) filtering (<see cref="LogitFilter"/>), a maximum number of new tokens and an
/// optional set of end tokens, at the first of which each row stops (<see cref="ResponseEnds"/>). Prompts may be left-padded (a prompt mask), so prompts of different
/// lengths share a batch. For best-of-n the prompt is encoded once and its KV cache copied to the n continuations
/// (<see cref="SamplingOptions.SharePromptCache"/>); the uncached path re-runs the whole sequence each step and draws
/// the same random numbers, so every path gives the same tokens at one seed. Every row draws MaxLength tokens (rows
/// past their end token are masked), so the random stream a seed gives does not depend on when rows end.
/// </summary>
public static class AncestralSampler
{
    /// <summary>
    /// Draws <paramref name="samplesPerPrompt"/> responses for each row of <paramref name="prompts"/> [B, P] (int64;
    /// <paramref name="promptMask"/> [B, P] marks left padding, null = none), returned prompt-major with per-token
    /// log-probs under the sampling distribution. Throws ArgumentException for n &lt; 1, invalid options, prompts of the
    /// wrong shape, or more positions than the model has.
    /// </summary>
    public static SampleBatch Sample(CausalLm model, Tensor prompts, int samplesPerPrompt, SamplingOptions options, Generator generator, Tensor? promptMask = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        if (samplesPerPrompt < 1) throw new ArgumentException($"samplesPerPrompt must be >= 1 (got {samplesPerPrompt}).", nameof(samplesPerPrompt));
        options.Validate();
        var config = model.ModelConfig;
        if (prompts.dim() != 2 || prompts.shape[1] < 1 || prompts.dtype != ScalarType.Int64)
            throw new ArgumentException($"prompts must be int64 [B, P] with P >= 1 (got {prompts.dtype} [{string.Join(", ", prompts.shape)}]).", nameof(prompts));
        if (model.RequiredPromptLength is { } required && prompts.shape[1] != required)
            throw new ArgumentException($"prompts must be int64 [B, {required}] (got {prompts.dtype} [{string.Join(", ", prompts.shape)}]).", nameof(prompts));
        if (promptMask is not null && !promptMask.shape.SequenceEqual(prompts.shape))
            throw new ArgumentException($"promptMask must have the prompts' shape [{string.Join(", ", prompts.shape)}] (got [{string.Join(", ", promptMask.shape)}]).", nameof(promptMask));
        CausalLm.CheckLeftPadded(promptMask);
        int capacity = (int)prompts.shape[1] + options.MaxLength;
        if (capacity > config.MaxPositions)
            throw new ArgumentException($"MaxLength {options.MaxLength} exceeds the model's longest response {config.MaxPositions - prompts.shape[1]} after {prompts.shape[1]} prompt tokens.", nameof(options));
        IReadOnlyList<long> endTokens = options.EndTokens ?? [];
        foreach (var end in endTokens)
            if (end >= config.VocabSize)
                throw new ArgumentException($"end token {end} is not a token of a {config.VocabSize}-token vocabulary.", nameof(options));

        using var outer = NewDisposeScope();
        using var noGrad = no_grad();
        int n = samplesPerPrompt;
        var repeated = prompts.repeat_interleave(n, dim: 0);
        var mask = promptMask?.to(ScalarType.Int64).repeat_interleave(n, dim: 0);
        long rows = repeated.shape[0];
        KvCache? cache = null;
        Tensor logits;
        if (!options.UseKvCache)
            logits = model.forward(repeated, null, mask)[TensorIndex.Colon, -1];
        else if (options.SharePromptCache && n > 1)
        {
            using var promptCache = model.NewCache(prompts.shape[0], capacity);
            logits = model.forward(prompts, promptCache, promptMask?.to(ScalarType.Int64))[TensorIndex.Colon, -1].repeat_interleave(n, dim: 0);
            cache = promptCache.RepeatRows(n);
        }
        else
        {
            cache = model.NewCache(rows, capacity);
            logits = model.forward(repeated, cache, mask)[TensorIndex.Colon, -1];
        }

        var tokens = new List<Tensor>();
        var tokenLogProbs = new List<Tensor>();
        var done = zeros(rows, ScalarType.Bool, repeated.device);
        for (int t = 0; t < options.MaxLength; t++)
        {
            using var step = NewDisposeScope();
            var (token, logp) = Draw(logits, options, generator);
            if (endTokens.Count > 0)
            {
                // A finished row's positions are padding: the set's first id, log-prob 0.
                token = token.masked_fill(done, endTokens[0]);
                logp = logp.masked_fill(done, 0);
                using var isEnd = ResponseEnds.IsEnd(token, endTokens);
                done.bitwise_or_(isEnd);
            }
            tokens.Add(token.MoveToOuterDisposeScope());
            tokenLogProbs.Add(logp.MoveToOuterDisposeScope());
            if (t == options.MaxLength - 1) break;
            if (mask is not null)
            {
                // The generated tokens are real: extend the mask by one column of ones.
                var shorter = mask;
                mask = cat([mask, ones([rows, 1], ScalarType.Int64, mask.device)], 1).MoveToOuterDisposeScope();
                shorter.Dispose();
            }
            var next = options.UseKvCache
                ? model.forward(token.unsqueeze(1), cache, mask)[TensorIndex.Colon, -1]
                : model.forward(cat([repeated, stack(tokens, 1)], 1), null, mask)[TensorIndex.Colon, -1];
            // Free the step's [rows, V] logits now: kept until the end, 64 steps of a 50k vocabulary hold gigabytes.
            logits.Dispose();
            logits = next.MoveToOuterDisposeScope();
        }
        cache?.Dispose();
        var responses = stack(tokens, 1);
        var tokenLp = stack(tokenLogProbs, 1);
        var promptRows = promptMask is null ? null : promptMask.repeat_interleave(n, dim: 0);
        var batch = new SampleBatch(repeated, responses, tokenLp, tokenLp.sum(1), n, promptRows);
        foreach (var t in new[] { repeated, responses, tokenLp, batch.LogProbs, promptRows }) t?.MoveToOuterDisposeScope();
        return batch;
    }

    /// <summary>
    /// One token per row from next-token <paramref name="logits"/> [N, V]: temperature, then top-k and top-p filtering
    /// (<see cref="LogitFilter.Apply"/>), then a draw with <paramref name="generator"/>. Returns the tokens [N] and their
    /// log-probs [N] under the filtered distribution.
    /// </summary>
    public static (Tensor Tokens, Tensor LogProbs) Draw(Tensor logits, SamplingOptions options, Generator generator)
    {
        using var scope = NewDisposeScope();
        // Half-precision logits are sampled in float32; float64 ones (a float64 run) keep their precision.
        var z = logits.dtype == ScalarType.Float64 ? logits : logits.to(ScalarType.Float32);
        if (options.Temperature != 1.0) z = z / options.Temperature;
        var logp = LogitFilter.Apply(z, options.TopK, options.TopP).log_softmax(-1);
        var token = logp.exp().multinomial(1, generator: generator);
        return (token.squeeze(1).MoveToOuterDisposeScope(), logp.gather(-1, token).squeeze(1).MoveToOuterDisposeScope());
    }
}
