using AlignLab.Engine.Experiments;

namespace AlignLab.Engine.Tests.Experiments;

/// <summary>The CI-sized over-optimisation run (<see cref="OverOptimisationConfig.Quick"/>, seed 0), shared by the tests.</summary>
public sealed class QuickOverOptimisation
{
    public OverOptimisationResult Result { get; } = OverOptimisation.Run(OverOptimisationConfig.Quick);
}
