namespace AlignLab.Theory;

/// <summary>What <see cref="FrontierBenchmark.Run"/> measured, all times from the same run.</summary>
/// <param name="Outcomes">K, the number of outcomes (all rewards distinct).</param>
/// <param name="Points">The number of best-of-n frontier points (n log-spaced from 1 to 2¹⁶).</param>
/// <param name="SetupMilliseconds">Building the distribution: sorting by reward and the level arrays, once.</param>
/// <param name="MillisecondsPerPoint">Mean over the points of the time of one point (KL, win rate, expected reward of BoN_n).</param>
/// <param name="SlowestPointMilliseconds">The slowest single point (small n, where no level can be skipped).</param>
/// <param name="PlainPassMilliseconds">Mean time of one plain pass reading the same level arrays, vectorised the same way.</param>
/// <param name="Ratio">MillisecondsPerPoint / PlainPassMilliseconds, the figure of merit (target ≤ 3).</param>
public sealed record FrontierBenchmarkResult(
    int Outcomes,
    int Points,
    double SetupMilliseconds,
    double MillisecondsPerPoint,
    double SlowestPointMilliseconds,
    double PlainPassMilliseconds,
    double Ratio);
