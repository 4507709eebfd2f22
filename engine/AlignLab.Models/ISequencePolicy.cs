using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Models;

/// <summary>
/// A conditional distribution π(y | x) over responses y given prompts x, implemented by a TorchSharp module.
/// Every trainable policy (every <see cref="CausalLm"/>; the engine's tabular and toy policies)
/// implements it, so every method and estimator works with either. Prompts and responses are token-id tensors of shape
/// [B, P] and [B, L] (int64); a tabular policy uses P = L = 1 (prompt id, outcome id).
/// <para>Variable-length batches carry two optional masks (1 = token, 0 = padding): <c>promptMask</c> [B, P] for
/// left-padded prompts and <c>responseMask</c> [B, L] for right-padded responses. Without masks every token counts
/// (the fixed-length toy path). A row gives the same log-probs alone and inside any padded batch.</para>
/// </summary>
public interface ISequencePolicy
{
    /// <summary>The module holding the policy's parameters (for optimisers, checkpoints, device moves).</summary>
    nn.Module Module { get; }

    /// <summary>
    /// Log-probability of each response given its prompt, log π(y|x) = Σ_t log π(y_t | x, y_&lt;t), shape [B],
    /// differentiable with respect to the policy's parameters. Padding and tokens after an end token do not count.
    /// </summary>
    Tensor SequenceLogProbs(Tensor prompts, Tensor responses, Tensor? promptMask = null, Tensor? responseMask = null);

    /// <summary>The per-token terms log π(y_t | x, y_&lt;t) of <see cref="SequenceLogProbs"/>, shape [B, L] (0 where they do not count).</summary>
    Tensor TokenLogProbs(Tensor prompts, Tensor responses, Tensor? promptMask = null, Tensor? responseMask = null);

    /// <summary>
    /// Draws <paramref name="samplesPerPrompt"/> responses for each prompt (ancestral sampling, no gradient).
    /// The result's rows are prompt-major: row i·n + j is the j-th sample for prompt i.
    /// </summary>
    SampleBatch Sample(Tensor prompts, int samplesPerPrompt, SamplingOptions options, Generator generator, Tensor? promptMask = null);
}
