using AlignLab.Models;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// The log-ratio gap of a preference batch (THEORY.md §4), [B]:
/// h_θ = log π_θ(y_w)/π_ref(y_w) − log π_θ(y_l)/π_ref(y_l), the quantity DPO, IPO, BoNBoN and SLiC-style losses act on.
/// </summary>
public static class PreferenceGap
{
    /// <summary>h_θ of <paramref name="batch"/> under <paramref name="policy"/> (differentiable).</summary>
    public static Tensor Of(ISequencePolicy policy, PreferenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(batch);
        return Of(policy.SequenceLogProbs(batch.Prompts, batch.Chosen, batch.PromptMask), policy.SequenceLogProbs(batch.Prompts, batch.Rejected, batch.PromptMask), batch);
    }

    /// <summary>
    /// h_θ from the policy's log-probabilities of the chosen and rejected responses, [B] each, already computed (a loss
    /// that also needs log π_θ(y_w), like BoNBoN's SFT term, computes it once).
    /// </summary>
    public static Tensor Of(Tensor chosenLogProbs, Tensor rejectedLogProbs, PreferenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Of(chosenLogProbs, rejectedLogProbs, batch.ChosenReferenceLogProbs, batch.RejectedReferenceLogProbs);
    }

    /// <summary>
    /// h_θ from sequence scores of the policy and the reference, [B] each, all reduced the same way (summed log-probs, or
    /// length-averaged ones as the BoNBoN <c>…Mean</c> forms use).
    /// </summary>
    public static Tensor Of(Tensor chosenLogProbs, Tensor rejectedLogProbs, Tensor chosenReferenceLogProbs, Tensor rejectedReferenceLogProbs) =>
        (chosenLogProbs - chosenReferenceLogProbs) - (rejectedLogProbs - rejectedReferenceLogProbs);
}
