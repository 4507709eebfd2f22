namespace AlignLab.Theory.Objectives;

/// <summary>
/// The expected (infinite-data) training loss L(θ) of a tabular softmax policy π_θ = softmax(θ) over K outcomes, as an
/// exact finite sum (THEORY.md §9), with its gradient with respect to the logits θ. Objectives over several prompts
/// (<see cref="PromptSetObjective"/>) concatenate the prompts' logits.
/// </summary>
public interface ITabularObjective
{
    /// <summary>A short name for reports (e.g. "bonbon(alpha=0.5)").</summary>
    string Name { get; }

    /// <summary>Number of logits, K (or P·K for a prompt set).</summary>
    int Dimension { get; }

    /// <summary>The expected loss L(θ).</summary>
    double Value(IReadOnlyList<double> logits);

    /// <summary>The gradient ∇_θ L(θ), of length <see cref="Dimension"/>.</summary>
    double[] Gradient(IReadOnlyList<double> logits);
}
