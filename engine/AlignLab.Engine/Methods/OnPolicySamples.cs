using AlignLab.Engine.Models;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// k responses per prompt drawn from the policy being trained, with their differentiable log-probabilities: the batch
/// every policy-gradient method (RLHF, vBoN, BOND's backward part) starts from, and its RLOO loss.
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

    /// <summary>Draws <paramref name="samplesPerPrompt"/> responses per prompt from <paramref name="policy"/> and scores them under it.</summary>
    public static OnPolicySamples Draw(ISequencePolicy policy, Tensor prompts, int samplesPerPrompt, SamplingOptions sampling, Generator generator)
    {
        var batch = policy.Sample(prompts, samplesPerPrompt, sampling, generator);
        return new OnPolicySamples(batch, policy.SequenceLogProbs(batch.Prompts, batch.Responses), samplesPerPrompt);
    }

    /// <summary>log π_θ(y) − log q(y) for each sample, detached, in float64 (both terms converted before subtracting).</summary>
    public Tensor LogRatioTo(ISequencePolicy other)
    {
        using var noGrad = no_grad();
        return LogProbs.detach().to(ScalarType.Float64) - other.SequenceLogProbs(Batch.Prompts, Batch.Responses).to(ScalarType.Float64);
    }

    /// <summary>The RLOO surrogate loss (<see cref="Rloo"/>) for the samples' returns [B·k].</summary>
    public Tensor Loss(Tensor returns) => Rloo.Loss(LogProbs, returns.to(LogProbs.dtype), SamplesPerPrompt);

    /// <inheritdoc />
    public void Dispose() => Batch.Dispose();
}
