namespace AlignLab.Dsl.Plots;

/// <summary>What the y axis of a <see cref="FrontierChart"/> shows.</summary>
public enum FrontierMetric
{
    /// <summary>Win rate against the base policy, W(π) = Σ π(y) s(y) (THEORY.md §2); the axis spans [0, 1].</summary>
    WinRate,

    /// <summary>Expected reward E_π[r] (THEORY.md §2).</summary>
    ExpectedReward,
}
