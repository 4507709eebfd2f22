using AlignLab.Theory;

namespace AlignLab.Dsl;

/// <summary>
/// An analytic frontier an <see cref="Experiment"/> draws beside its trained points: the curve (KL(π_θ‖p), W(π_θ)) of a
/// tilting family of the task's base, computed exactly per prompt at a common parameter θ and averaged over prompts
/// (THEORY.md §3). Built with <see cref="Frontier"/>.
/// </summary>
/// <param name="Family">The tilting family (best-of-n, win-rate-optimal, RLHF).</param>
/// <param name="Name">Legend name of the curve.</param>
public sealed record FrontierSpec(FrontierFamily Family, string Name)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}
