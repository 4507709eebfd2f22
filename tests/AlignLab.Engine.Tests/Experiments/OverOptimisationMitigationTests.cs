using AlignLab.Engine.Experiments;
using Xunit.Abstractions;

namespace AlignLab.Engine.Tests.Experiments;

// It pins torch's process-wide thread count, so it runs alone.
[Collection(Runtime.ThreadCountCollection.Name)]
public class OverOptimisationMitigationTests(ITestOutputHelper output)
{
    // Seeds and statistic fixed before measuring: the gold reward at the largest n, k = 3 (k = 1 printed, not asserted).
    private static readonly int[] Seeds = [0, 1, 2, 3, 4];
    private const double PenaltyWeight = 3.0;

    // The proxies' float sums, and so the proxies, depend on torch's thread count: the claim is made, and pinned, at 2.
    private const int Threads = 2;

    [Fact]
    public void LaplacePenalty_RaisesTheGoldRewardOfBestOf256_OverTheProxy_AcrossSeeds()
    {
        // Each seed draws its own pairs and trains its own proxy, so the per-seed differences d = gold(BoN on r* − 3σ) −
        // gold(BoN on r*) at n = 256 are independent; assert their mean exceeds 2 standard errors. The full default size
        // is needed: at Quick size the mean is negative (−0.10, SE 0.11) and with 8 or 16 prompts under 2 SE (0.3 and
        // 1.9 SE). Measured with 2 torch threads (pinned below): d = +0.08, +0.07, +0.25, +0.26, +0.25 (mean +0.18,
        // SE 0.043, 4.2 SE); with 1 thread, whose float sums differ enough to change the proxies, an earlier build gave
        // +0.07, +0.24, +0.21, +0.27, −0.07 (2.3 SE), so the claim is made at 2 threads and the run pins them.
        var differences = new double[Seeds.Length];
        for (int s = 0; s < Seeds.Length; s++)
        {
            var result = OverOptimisation.Run(new OverOptimisationConfig { Seed = Seeds[s], Threads = Threads });
            var proxy = result.Curve("proxy")[^1];
            var penalised = result.Curve("proxy-penalised", PenaltyWeight)[^1];
            differences[s] = penalised.GoldReward - proxy.GoldReward;
            output.WriteLine($"seed {Seeds[s]}, n = {proxy.N}: gold reward of proxy-BoN {proxy.GoldReward:F4}, " +
                $"r* − 1σ {result.Curve("proxy-penalised", 1.0)[^1].GoldReward:F4}, r* − {PenaltyWeight}σ {penalised.GoldReward:F4}; " +
                $"difference {differences[s]:+0.0000;-0.0000}");
        }
        double mean = differences.Average();
        double sd = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (differences.Length - 1));
        double standardError = sd / Math.Sqrt(differences.Length);
        output.WriteLine($"mean difference {mean:+0.0000;-0.0000}, standard error {standardError:F4} ({mean / standardError:F1} SE)");
        Assert.True(mean > 2 * standardError, $"mean gold-reward gain of the penalty {mean} is not above 2 SE = {2 * standardError}");
    }
}
