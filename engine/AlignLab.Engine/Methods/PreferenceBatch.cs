using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// A batch of preference pairs: prompts [B, P], chosen and rejected responses [B, L] (for best-of-n pairs: the best and
/// the worst sample), and the reference policy's log-probabilities of both [B] (no gradient).
/// </summary>
public sealed record PreferenceBatch(Tensor Prompts, Tensor Chosen, Tensor Rejected, Tensor ChosenReferenceLogProbs, Tensor RejectedReferenceLogProbs);
