using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Models;

/// <summary>
/// A conditional distribution π(y | x) over responses y given prompts x, implemented by a TorchSharp module.
/// Every trainable policy (<c>TabularPolicy</c>, <c>TinyGpt</c>) implements it, so every method and estimator
/// works with either. Prompts and responses are token-id tensors of shape [B, P] and [B, L] (int64); a tabular
/// policy uses P = L = 1 (prompt id, outcome id).
/// </summary>
public interface ISequencePolicy
{
    /// <summary>The module holding the policy's parameters (for optimisers, checkpoints, device moves).</summary>
    nn.Module Module { get; }

    /// <summary>Length of every prompt this policy is used with (tokens).</summary>
    int PromptLength { get; }

    /// <summary>
    /// Log-probability of each response given its prompt, log π(y|x) = Σ_t log π(y_t | x, y_&lt;t), shape [B],
    /// differentiable with respect to the policy's parameters. Tokens after an end token do not count.
    /// </summary>
    Tensor SequenceLogProbs(Tensor prompts, Tensor responses);

    /// <summary>
    /// Draws <paramref name="samplesPerPrompt"/> responses for each prompt (ancestral sampling, no gradient).
    /// The result's rows are prompt-major: row i·n + j is the j-th sample for prompt i.
    /// </summary>
    SampleBatch Sample(Tensor prompts, int samplesPerPrompt, SamplingOptions options, Generator generator);
}
