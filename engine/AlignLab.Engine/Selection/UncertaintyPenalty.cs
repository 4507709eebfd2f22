namespace AlignLab.Engine.Selection;

/// <summary>How <see cref="PenalizedReward"/> penalises reward uncertainty (THEORY.md §7).</summary>
public enum UncertaintyPenalty
{
    /// <summary>r̃ = mean − k·std.</summary>
    StandardDeviation,

    /// <summary>r̃ = mean − k·variance.</summary>
    Variance,
}
