namespace AlignLab.Cli.Commands;

/// <summary>
/// A parsed theory case file: the base probabilities and rewards ("probs", "rewards") and the policies to evaluate
/// ("policies", optional).
/// </summary>
/// <param name="Probs">The base probabilities, as given.</param>
/// <param name="Rewards">The rewards, as given.</param>
/// <param name="Policies">The requested policies, in file order.</param>
internal sealed record TheoryCase(IReadOnlyList<double> Probs, IReadOnlyList<double> Rewards, IReadOnlyList<TheoryPolicySpec> Policies);
