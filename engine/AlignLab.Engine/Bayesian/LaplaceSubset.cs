namespace AlignLab.Engine.Bayesian;

/// <summary>Which parameters of a reward model a <see cref="LaplaceRewardModel"/> treats as uncertain (THEORY.md §7).</summary>
public enum LaplaceSubset
{
    /// <summary>The scalar head (weight and bias): the cheap case, the trunk's features are kept fixed.</summary>
    LastLayer,

    /// <summary>Every LoRA adapter matrix (A and B of each <c>LoraLinear</c>), as in Yang et al. (2024).</summary>
    Lora,
}
