namespace AlignLab.Dsl;

/// <summary>
/// A metric an <see cref="Experiment"/> reports for each method, by its column name in the result table
/// (<c>win_rate</c>, <c>kl</c>, <c>expected_reward</c>, <c>off_target</c>); built with <see cref="Metrics"/>.
/// An unknown name is reported by <see cref="Experiment.Validate"/> before any training.
/// </summary>
/// <param name="Name">The metric's column name.</param>
public sealed record MetricSpec(string Name)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}
