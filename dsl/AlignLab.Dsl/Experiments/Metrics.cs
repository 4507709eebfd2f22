namespace AlignLab.Dsl;

/// <summary>
/// The metrics an <see cref="Experiment"/> can report. On an enumerable task all are exact sums over every response of
/// every prompt, averaged uniformly over prompts (THEORY.md §9); on a real task Monte-Carlo estimates on held-out prompts,
/// each with a <c>NAME_se</c> standard-error column, the off-target attribute being the response length in tokens.
/// </summary>
public static class Metrics
{
    /// <summary>Win rate against the base under the gold reward, W(π) = Σ_y π(y) s(y), ties half (THEORY.md §2).</summary>
    public static MetricSpec WinRate { get; } = new("win_rate");

    /// <summary>KL(π‖base) = Σ_y π(y) log(π(y)/p(y)) in nats (THEORY.md §2).</summary>
    public static MetricSpec Kl { get; } = new("kl");

    /// <summary>Expected gold reward E_π[r].</summary>
    public static MetricSpec Reward { get; } = new("expected_reward");

    /// <summary>Expected off-target attribute E_π[a] (a symbol count the reward does not ask for).</summary>
    public static MetricSpec OffTarget { get; } = new("off_target");

    /// <summary>Every metric by name, in table order.</summary>
    public static IReadOnlyList<MetricSpec> All { get; } = [WinRate, Kl, Reward, OffTarget];

    /// <summary>The metrics reported when an experiment names none: win rate, KL, expected reward, off-target attribute.</summary>
    public static IReadOnlyList<MetricSpec> Default { get; } = [WinRate, Kl, Reward, OffTarget];

    /// <summary>
    /// The metric called <paramref name="name"/> (e.g. read from a script argument). Any name is accepted here;
    /// <see cref="Experiment.Validate"/> reports one that is not in <see cref="All"/>, with the known names.
    /// </summary>
    public static MetricSpec Named(string name) => new(name ?? throw new ArgumentNullException(nameof(name)));
}
