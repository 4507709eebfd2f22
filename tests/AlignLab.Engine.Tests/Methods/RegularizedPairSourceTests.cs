using AlignLab.Engine.Methods;
using AlignLab.Engine.Selection;
using AlignLab.Theory;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

public class RegularizedPairSourceTests
{
    private const int Pairs = 4000;

    /// <summary>
    /// The exact laws of the chosen and rejected outcomes when n base draws are scored by <paramref name="score"/>
    /// (outcome i, the whole tuple) and the highest / lowest score is picked with uniform tie-breaking: a sum over all Kⁿ
    /// ordered tuples, written independently of the engine's tensor code.
    /// </summary>
    private static (double[] Chosen, double[] Rejected) ExactLaws(IReadOnlyList<double> p, int n, Func<int, int[], double> score)
    {
        int k = p.Count;
        var chosen = new double[k];
        var rejected = new double[k];
        var tuple = new int[n];
        for (int code = 0; code < (int)Math.Pow(k, n); code++)
        {
            double mass = 1;
            for (int i = 0, c = code; i < n; i++, c /= k) { tuple[i] = c % k; mass *= p[tuple[i]]; }
            var s = Enumerable.Range(0, n).Select(i => score(tuple[i], tuple)).ToArray();
            var top = Enumerable.Range(0, n).Where(i => s[i] == s.Max()).ToList();
            var bottom = Enumerable.Range(0, n).Where(i => s[i] == s.Min()).ToList();
            foreach (int i in top) chosen[tuple[i]] += mass / top.Count;
            foreach (int i in bottom) rejected[tuple[i]] += mass / bottom.Count;
        }
        return (chosen, rejected);
    }

    private static (long[] Chosen, long[] Rejected, bool ReferenceLogProbsMatch) Draw(RegularizedPairSource source, int outcomes)
    {
        using var reference = TabularFixtures.Base();
        using var generator = new TorchSharp.torch.Generator(7);
        var batch = source.Next(Pairs, generator);
        var chosen = batch.Chosen.reshape(-1).data<long>().ToArray();
        var rejected = batch.Rejected.reshape(-1).data<long>().ToArray();
        bool match = reference.SequenceLogProbs(batch.Prompts, batch.Chosen).allclose(batch.ChosenReferenceLogProbs)
            && reference.SequenceLogProbs(batch.Prompts, batch.Rejected).allclose(batch.RejectedReferenceLogProbs);
        long[] Count(long[] ids) => Enumerable.Range(0, outcomes).Select(o => (long)ids.Count(id => id == o)).ToArray();
        return (Count(chosen), Count(rejected), match);
    }

    private static void AssertFollowsLaw(IReadOnlyList<long> counts, IReadOnlyList<double> law, string what)
    {
        var (statistic, critical) = TabularFixtures.ChiSquare(counts, law);
        Assert.True(statistic < critical, $"{what}: chi-square {statistic:F2} >= {critical:F2}; counts [{string.Join(", ", counts)}], law [{string.Join(", ", law.Select(v => v.ToString("F4")))}]");
    }

    [Fact]
    public void KlPairs_AreBestAndWorstOfN_OfTheRegularisedReward()
    {
        // RBoN_KL picks by s(y) = r(y) + β·log p(y), so the chosen law is BoN_n and the rejected law worst-of-n of s.
        const int n = 4;
        const double beta = 2.0;
        var p = TabularFixtures.Probabilities;
        var s = p.Select((v, i) => TabularFixtures.Rewards[i] + beta * Math.Log(v)).ToArray();
        var regularised = new RewardDistribution(p, s);
        using var reference = TabularFixtures.Base();
        using var reward = TabularFixtures.Reward();
        var source = RegularizedPairSource.Kl(reference, TabularFixtures.Prompts(1), reward, n, beta, TabularFixtures.Sampling);

        var (chosen, rejected, logProbsMatch) = Draw(source, p.Length);

        Assert.True(logProbsMatch, "reference log-probs of the pairs");
        AssertFollowsLaw(chosen, Tilting.BestOfN(regularised, n).Probabilities, "chosen");
        AssertFollowsLaw(rejected, Tilting.WorstOfN(regularised, n).Probabilities, "rejected");
        // The law differs from plain BoN's, so the test tells the rules apart (KL between the two laws = 0.17).
        double separation = Measures.Kl(Tilting.BestOfN(regularised, n).Probabilities, Tilting.BestOfN(TabularFixtures.Distribution(), n).Probabilities);
        Assert.True(separation > 0.1, $"KL(RBoN_KL law || BoN law) = {separation}");
    }

    [Fact]
    public void WassersteinPairs_FollowTheRbonWdRule()
    {
        // RBoN_WD with the Hamming distance on one-token responses: s_i = r(y_i) − β·(1 − #{j: y_j = y_i}/n).
        const int n = 4;
        const double beta = 8.0;
        var p = TabularFixtures.Probabilities;
        var r = TabularFixtures.Rewards;
        var (chosenLaw, rejectedLaw) = ExactLaws(p, n, (y, tuple) => r[y] - beta * (1.0 - tuple.Count(t => t == y) / (double)n));
        using var reference = TabularFixtures.Base();
        using var reward = TabularFixtures.Reward();
        var source = RegularizedPairSource.Wasserstein(reference, TabularFixtures.Prompts(1), reward, n, beta, new HammingDistance(), TabularFixtures.Sampling);

        var (chosen, rejected, logProbsMatch) = Draw(source, p.Length);

        Assert.True(logProbsMatch);
        AssertFollowsLaw(chosen, chosenLaw, "chosen");
        AssertFollowsLaw(rejected, rejectedLaw, "rejected");
        // The rule is visible: its law is far from plain BoN's, so a source ignoring the distance would fail above.
        double separation = Measures.Kl(chosenLaw, Tilting.BestOfN(TabularFixtures.Distribution(), n).Probabilities);
        Assert.True(separation > 0.05, $"KL(RBoN_WD law || BoN law) = {separation}");
    }

    [Fact]
    public void ZeroBeta_KlRule_IsPlainBestWorstOfN()
    {
        // The enumerated law at β = 0 equals the theory's BoN / worst-of-n with ties: checks ExactLaws itself.
        var d = TabularFixtures.Distribution();
        var (chosenLaw, rejectedLaw) = ExactLaws(d.Probabilities, 3, (y, _) => d.Rewards[y]);
        Assert.Equal(Tilting.BestOfN(d, 3).Probabilities, chosenLaw, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(Tilting.WorstOfN(d, 3).Probabilities, rejectedLaw, (a, b) => Math.Abs(a - b) < 1e-12);

        using var reference = TabularFixtures.Base();
        using var reward = TabularFixtures.Reward();
        var (chosen, rejected, _) = Draw(RegularizedPairSource.Kl(reference, TabularFixtures.Prompts(1), reward, 3, 0.0, TabularFixtures.Sampling), d.Count);
        AssertFollowsLaw(chosen, chosenLaw, "chosen");
        AssertFollowsLaw(rejected, rejectedLaw, "rejected");
    }

    [Theory]
    [InlineData(1, 0.5, "n")]
    [InlineData(4, -1.0, "beta")]
    [InlineData(4, double.NaN, "beta")]
    public void InvalidArguments_NameTheParameter(int n, double beta, string parameter)
    {
        using var reference = TabularFixtures.Base();
        using var reward = TabularFixtures.Reward();
        var error = Assert.Throws<ArgumentException>(() => RegularizedPairSource.Kl(reference, TabularFixtures.Prompts(1), reward, n, beta, TabularFixtures.Sampling));
        Assert.Equal(parameter, error.ParamName);
    }
}
