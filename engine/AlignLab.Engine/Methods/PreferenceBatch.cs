using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// A batch of preference pairs: prompts [B, P], chosen and rejected responses [B, L] (for best-of-n pairs: the best and
/// the worst sample), the reference policy's log-probabilities of both [B] (no gradient), and the prompts'
/// left-padding mask [B, P] (true or 1 = real token; null when no prompt is padded).
/// </summary>
public sealed record PreferenceBatch(Tensor Prompts, Tensor Chosen, Tensor Rejected, Tensor ChosenReferenceLogProbs, Tensor RejectedReferenceLogProbs,
    Tensor? PromptMask = null);
