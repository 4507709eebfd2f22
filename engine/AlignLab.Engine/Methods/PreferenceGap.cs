using AlignLab.Engine.Models;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>The log-ratio gap h_θ = log π_θ(y_w)/π_ref(y_w) − log π_θ(y_l)/π_ref(y_l) of a preference batch, [B].</summary>
internal static class PreferenceGap
{
    public static Tensor Of(ISequencePolicy policy, PreferenceBatch batch) =>
        (policy.SequenceLogProbs(batch.Prompts, batch.Chosen) - batch.ChosenReferenceLogProbs)
        - (policy.SequenceLogProbs(batch.Prompts, batch.Rejected) - batch.RejectedReferenceLogProbs);
}
