using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// The per-prompt empirical reward CDF of M base (or anchor) samples, and the log-ratio of best-of-n it implies
/// (THEORY.md §1, §5, §6). For a response with reward r, counting the response itself among the samples so that no
/// estimate is 0: F̂(r) = (1 + #{m: r_m ≤ r})/(M+1), F̂⁻(r) = #{m: r_m &lt; r}/(M+1), q̂ = F̂ − F̂⁻, and
/// log π̂_n(y)/p(y) = log[(F̂ⁿ − F̂⁻ⁿ)/q̂] — the exact discrete BoN ratio with ties, which without ties equals
/// log n + (n−1)·log F̂ up to O(1/M). Computed as n·log F̂ + log(1 − (F̂⁻/F̂)ⁿ) − log q̂ for stability.
/// </summary>
public static class EmpiricalRewardCdf
{
    /// <summary>log π̂_n/p for rewards [B, k] against base rewards [B, M] of the same prompts; returns [B, k] (float64).</summary>
    public static Tensor LogBestOfNRatio(Tensor baseRewards, Tensor rewards, int n)
    {
        ArgumentNullException.ThrowIfNull(baseRewards);
        ArgumentNullException.ThrowIfNull(rewards);
        if (n < 1) throw new ArgumentException($"n must be >= 1 (got {n}).", nameof(n));
        if (baseRewards.dim() != 2 || rewards.dim() != 2 || baseRewards.shape[0] != rewards.shape[0])
            throw new ArgumentException(
                $"baseRewards [B, M] and rewards [B, k] must share B (got [{string.Join(", ", baseRewards.shape)}] and [{string.Join(", ", rewards.shape)}]).", nameof(rewards));
        using var scope = NewDisposeScope();
        var samples = baseRewards.to(ScalarType.Float64).unsqueeze(1);
        var query = rewards.to(ScalarType.Float64).unsqueeze(2);
        var below = (samples < query).sum(2, type: ScalarType.Float64);
        var atOrBelow = (samples <= query).sum(2, type: ScalarType.Float64) + 1;
        var logCdf = atOrBelow.log();
        var logLevel = (atOrBelow - below).log();
        // The (M+1) denominators cancel between (F̂ⁿ − F̂⁻ⁿ) and q̂ except for one factor (M+1)^(n−1).
        var m1 = baseRewards.shape[1] + 1.0;
        var ratio = (below / atOrBelow).pow(n);
        var result = n * logCdf + (-ratio).log1p() - logLevel - (n - 1) * Math.Log(m1);
        return result.MoveToOuterDisposeScope();
    }
}
