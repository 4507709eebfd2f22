namespace AlignLab.Engine.Estimation;

/// <summary>
/// A Monte-Carlo estimate: <see cref="Value"/> with its <see cref="StandardError"/> (the estimated standard deviation
/// of the estimator; 0 for exact values) from <see cref="SampleCount"/> samples.
/// </summary>
public sealed record Estimate(double Value, double StandardError, long SampleCount)
{
    /// <summary>An exact value (standard error 0, no samples).</summary>
    public static Estimate Exact(double value) => new(value, 0, 0);

    /// <summary>|Value − <paramref name="truth"/>| measured in standard errors (∞ when the standard error is 0 and they differ).</summary>
    public double ZScore(double truth) =>
        Value == truth ? 0 : StandardError > 0 ? Math.Abs(Value - truth) / StandardError : double.PositiveInfinity;

    /// <inheritdoc />
    public override string ToString() => $"{Value:G6} ± {StandardError:G3} (n = {SampleCount})";
}
