using static TorchSharp.torch;

namespace AlignLab.Models.Generation;

/// <summary>
/// Responses drawn from a policy. <see cref="Prompts"/> [B·n, P] repeats each prompt n times (prompt-major),
/// <see cref="Responses"/> [B·n, L] holds the sampled tokens, <see cref="TokenLogProbs"/> [B·n, L] the log-probability
/// of each sampled token under the sampling distribution (0 after the end token), and <see cref="LogProbs"/> [B·n]
/// their sum; <see cref="PromptMask"/> [B·n, P] marks the prompts' left padding (null when none). The batch owns its tensors: dispose it (or let a dispose scope do it).
/// </summary>
public sealed record SampleBatch(Tensor Prompts, Tensor Responses, Tensor TokenLogProbs, Tensor LogProbs, int SamplesPerPrompt, Tensor? PromptMask = null)
    : IDisposable
{
    /// <summary>Number of distinct prompts, B.</summary>
    public long PromptCount => Prompts.shape[0] / SamplesPerPrompt;

    /// <inheritdoc />
    public void Dispose()
    {
        Prompts.Dispose();
        Responses.Dispose();
        TokenLogProbs.Dispose();
        LogProbs.Dispose();
        PromptMask?.Dispose();
    }
}
