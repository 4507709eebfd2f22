using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// REINFORCE with the leave-one-out baseline (RLOO, Kool et al. 2019; Ahmadian et al. 2024), the policy-gradient
/// estimator of vBoN, BOND's backward part and RLHF. With k samples y_1..y_k of one prompt and their (detached) returns
/// R_i, the advantage is A_i = R_i − (1/(k−1))·Σ_{j≠i} R_j and the surrogate loss −(1/k)·Σ_i A_i·log π_θ(y_i), whose
/// gradient is an unbiased estimate of −∇_θ E_{y~π_θ}[R(y)]. Chosen over PPO-clip because every batch is used for
/// exactly one on-policy step (PPO's clipping only matters when samples are reused), it needs no value network, and it
/// stays unbiased, which the exact tabular verification relies on.
/// </summary>
internal static class Rloo
{
    /// <summary>The surrogate loss for log-probs and returns [B·k] (prompt-major, k samples per prompt).</summary>
    public static Tensor Loss(Tensor logProbs, Tensor returns, int samplesPerPrompt)
    {
        var grouped = returns.detach().reshape(-1, samplesPerPrompt);
        var baseline = (grouped.sum(1, keepdim: true) - grouped) / (samplesPerPrompt - 1);
        var advantage = (grouped - baseline).reshape(-1);
        return -(advantage * logProbs).mean();
    }
}
