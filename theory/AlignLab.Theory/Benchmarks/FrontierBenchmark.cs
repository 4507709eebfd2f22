using System.Diagnostics;
using System.Globalization;

namespace AlignLab.Theory;

/// <summary>
/// Benchmark (not a test): a best-of-n frontier on a large distribution, timed against one plain pass over the same
/// arrays in the same run, so the ratio does not depend on the machine's speed.
/// </summary>
public static class FrontierBenchmark
{
    private const int Repetitions = 3;

    /// <summary>
    /// Builds a distribution of <paramref name="outcomes"/> outcomes (seeded random probabilities and distinct rewards),
    /// computes a <paramref name="points"/>-point best-of-n frontier (n = 2^(16 j/(points − 1))) and times each point
    /// next to a plain pass reading the same arrays (each the minimum over three repetitions).
    /// </summary>
    /// <param name="outcomes">K (default 10⁶).</param>
    /// <param name="points">The number of frontier points (default 100).</param>
    /// <param name="log">Where to print the result, or null.</param>
    /// <exception cref="ArgumentException">outcomes &lt; 2 or points &lt; 2.</exception>
    public static FrontierBenchmarkResult Run(int outcomes = 1_000_000, int points = 100, TextWriter? log = null)
    {
        if (outcomes < 2) throw new ArgumentException($"outcomes = {outcomes} must be >= 2.", nameof(outcomes));
        if (points < 2) throw new ArgumentException($"points = {points} must be >= 2.", nameof(points));
        var random = new Random(20240601);
        var weights = new double[outcomes];
        var rewards = new double[outcomes];
        for (int i = 0; i < outcomes; i++)
        {
            weights[i] = 0.5 + random.NextDouble();
            rewards[i] = random.NextDouble();
        }
        var parameters = new double[points];
        for (int j = 0; j < points; j++) parameters[j] = Math.Pow(2.0, 16.0 * j / (points - 1));

        // Warm up the JIT on a small case so that only steady-state work is timed.
        var warm = RewardDistribution.Normalize(weights.AsSpan(0, 1000).ToArray(), rewards.AsSpan(0, 1000).ToArray());
        Frontiers.Compute(warm, FrontierFamily.BestOfN, parameters);
        warm.Table.PlainPass();

        var clock = Stopwatch.StartNew();
        var distribution = RewardDistribution.Normalize(weights, rewards);
        var table = distribution.Table;
        double setup = clock.Elapsed.TotalMilliseconds;

        // Each point and a plain pass are timed side by side, three times over; the minimum of each filters out
        // interference from other processes, which can only add time.
        var pointTimes = Enumerable.Repeat(double.PositiveInfinity, points).ToArray();
        var plainTimes = Enumerable.Repeat(double.PositiveInfinity, points).ToArray();
        var single = new double[1];
        double sink = 0.0;
        for (int repetition = 0; repetition < Repetitions; repetition++)
        {
            for (int j = 0; j < points; j++)
            {
                single[0] = parameters[j];
                clock.Restart();
                sink += Frontiers.Compute(distribution, FrontierFamily.BestOfN, single)[0].Kl;
                pointTimes[j] = Math.Min(pointTimes[j], clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                sink += table.PlainPass();
                plainTimes[j] = Math.Min(plainTimes[j], clock.Elapsed.TotalMilliseconds);
            }
        }
        double frontierTotal = pointTimes.Sum(), slowest = pointTimes.Max(), plainTotal = plainTimes.Sum();
        double perPoint = frontierTotal / points;
        double plain = plainTotal / points;
        var result = new FrontierBenchmarkResult(outcomes, points, setup, perPoint, slowest, plain, perPoint / plain);
        log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"theory frontier benchmark: K = {outcomes}, {points} BoN points (n = 1..65536), setup {setup:F1} ms; " +
            $"per point {perPoint:F3} ms (slowest {slowest:F3} ms), plain pass over the same arrays {plain:F3} ms, " +
            $"ratio {result.Ratio:F2}x (checksum {sink:G6})"));
        return result;
    }
}
