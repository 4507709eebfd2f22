using AlignLab.Engine.Rewards;
using AlignLab.Models;
using AlignLab.Models.Generation;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// k responses per prompt drawn from the policy being trained, with their differentiable log-probabilities: the batch
/// every policy-gradient method (RLHF, vBoN, BOND's backward part) starts from, and its RLOO loss. The responses come
/// from <see cref="ISequencePolicy.Sample"/>, which on a <see cref="CausalLm"/> generates through the KV cache (one token
/// per step, each prompt encoded once and its cache shared by its k samples; <see cref="SamplingOptions.UseKvCache"/>,
/// <see cref="SamplingOptions.SharePromptCache"/>); the log-probabilities are then one full forward pass with gradient.
/// Left-padded prompts carry their mask into sampling, scoring and <see cref="Batch"/>.
/// </summary>
internal sealed class OnPolicySamples : IDisposable
{
    private OnPolicySamples(SampleBatch batch, Tensor logProbs, int samplesPerPrompt)
    {
        Batch = batch;
        LogProbs = logProbs;
        SamplesPerPrompt = samplesPerPrompt;
    }

    /// <summary>The sampled prompts and responses, [B·k, ·], prompt-major.</summary>
    public SampleBatch Batch { get; }

    /// <summary>log π_θ(y|x) of each sample, [B·k], differentiable.</summary>
    public Tensor LogProbs { get; }

    /// <summary>k, the samples per prompt.</summary>
    public int SamplesPerPrompt { get; }

    /// <summary>
    /// Draws <paramref name="samplesPerPrompt"/> responses per prompt from <paramref name="policy"/> and scores them under
    /// it; <paramref name="promptMask"/> [B, P] marks the prompts' left padding (null: none).
    /// </summary>
    public static OnPolicySamples Draw(ISequencePolicy policy, Tensor prompts, int samplesPerPrompt, SamplingOptions sampling, Generator generator,
        Tensor? promptMask = null)
    {
        var batch = policy.Sample(prompts, samplesPerPrompt, sampling, generator, promptMask);
        return new OnPolicySamples(batch, policy.SequenceLogProbs(batch.Prompts, batch.Responses, batch.PromptMask), samplesPerPrompt);
    }

    /// <summary>The reward of each sample, [B·k], no gradient (the prompts' mask passed on).</summary>
    public Tensor Rewards(IRewardFunction reward)
    {
        using var noGrad = no_grad();
        return reward.Score(Batch.Prompts, Batch.Responses, Batch.PromptMask);
    }

    /// <summary>log π_θ(y) − log q(y) for each sample, detached, in float64 (both terms converted before subtracting).</summary>
    public Tensor LogRatioTo(ISequencePolicy other)
    {
        using var noGrad = no_grad();
        return LogProbs.detach().to(ScalarType.Float64) - other.SequenceLogProbs(Batch.Prompts, Batch.Responses, Batch.PromptMask).to(ScalarType.Float64);
    }

    /// <summary>The RLOO surrogate loss (<see cref="Rloo"/>) for the samples' returns [B·k].</summary>
    public Tensor Loss(Tensor returns) => Rloo.Loss(LogProbs, returns.to(LogProbs.dtype), SamplesPerPrompt);

    /// <inheritdoc />
    public void Dispose() => Batch.Dispose();
}
