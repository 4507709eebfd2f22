using AlignLab.Engine.Methods;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Training;
using AlignLab.Models.Generation;
using AlignLab.Theory;
using MathNet.Numerics.Distributions;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

/// <summary>The tabular toy problem shared by the selection, training and method tests, and statistical helpers.</summary>
internal static class TabularFixtures
{
    /// <summary>Base probabilities of K = 6 outcomes; rewards with two tied levels.</summary>
    public static readonly double[] Probabilities = [0.1, 0.2, 0.15, 0.25, 0.2, 0.1];

    public static readonly double[] Rewards = [0.0, 1.0, 1.0, 2.0, 3.0, 3.0];

    public static RewardDistribution Distribution() => new(Probabilities, Rewards);

    public static SamplingOptions Sampling => new(MaxLength: 1);

    /// <summary>Prompt ids [P, 1] for P prompts.</summary>
    public static Tensor Prompts(int count) => arange(count, ScalarType.Int64).reshape(-1, 1);

    /// <summary>The base policy (P copies of <see cref="Probabilities"/>), frozen.</summary>
    public static TabularPolicy Base(int prompts = 1)
    {
        var policy = TabularPolicy.FromProbabilities(Enumerable.Repeat((IReadOnlyList<double>)Probabilities, prompts).ToList());
        foreach (var p in policy.parameters()) p.requires_grad_(false);
        return policy;
    }

    /// <summary>A trainable policy initialised at the base.</summary>
    public static TabularPolicy Trainable(int prompts = 1) =>
        TabularPolicy.FromProbabilities(Enumerable.Repeat((IReadOnlyList<double>)Probabilities, prompts).ToList());

    public static TabularReward Reward(int prompts = 1) =>
        new(Enumerable.Repeat((IReadOnlyList<double>)Rewards, prompts).ToList());

    /// <summary>
    /// Pearson's chi-square statistic of observed counts against expected probabilities, with the p = 0.001 critical value
    /// of its degrees of freedom (cells with positive probability − 1): at a fixed seed, a correct sampler fails with
    /// probability 0.001 over the choice of seed.
    /// </summary>
    public static (double Statistic, double Critical) ChiSquare(IReadOnlyList<long> counts, IReadOnlyList<double> expected)
    {
        var total = counts.Sum();
        var statistic = 0.0;
        var cells = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            if (expected[i] <= 0)
            {
                Assert.Equal(0, counts[i]);
                continue;
            }
            cells++;
            var e = total * expected[i];
            statistic += (counts[i] - e) * (counts[i] - e) / e;
        }
        return (statistic, ChiSquared.InvCDF(cells - 1, 0.999));
    }

    public static double Kl(IReadOnlyList<double> p, IReadOnlyList<double> q) => Measures.Kl(p, q);

    /// <summary>
    /// Trains a one-prompt tabular policy, initialised at the base, with the shared trainer (300 AdamW steps, peak
    /// learning rate 0.1, cosine decay to 2%, seed 1) and returns its probabilities.
    /// </summary>
    public static double[] Train(Func<TabularPolicy, IAlignmentMethod> method, int steps = 300)
    {
        using var policy = Trainable(1);
        var config = new TrainerConfig(Steps: steps, LearningRate: 0.1, Schedule: LearningRateSchedule.Cosine, MinLearningRateRatio: 0.02,
            GradientClip: 0, LogEvery: steps, Seed: 1);
        new Trainer(config).Run(method(policy));
        return policy.Probabilities()[0];
    }

    /// <summary>
    /// The tolerance of the tabular verifications: KL(trained ‖ target) &lt; 0.01. With <see cref="Train"/>'s settings, over
    /// seeds 1–5 every method landed within 5.0e-3 of its target (SFT-BoN ≤ 2.8e-3, vBoN ≤ 2.5e-3, BOND ≤ 5.0e-3,
    /// DPO ≤ 5.0e-3, IPO-BoN ≤ 2.4e-4, BoNBoN ≤ 2.3e-4, RLHF ≤ 1.4e-9), a floor set by sampling noise at the final
    /// learning rate, by the finite-sample CDF F̂ and by the slow approach of the rarest outcome (π_4 of outcome 0 is
    /// 1e-4). 0.01 leaves a factor 2 and is still far below the distances the tests must tell apart
    /// (KL(p ‖ π_4) ≈ 1.3, KL(IPO optimum ‖ π_4) = 0.065, KL(BoNBoN α=0.5 optimum ‖ π_4) = 0.052).
    /// </summary>
    public const double KlTolerance = 0.01;

    public static double[] Log(IReadOnlyList<double> p) => p.Select(v => Math.Log(v)).ToArray();
}
