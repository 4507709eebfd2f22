using AlignLab.Engine.Estimation;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Selection;
using AlignLab.Engine.Tasks;
using AlignLab.Engine.Tests.Tasks;
using AlignLab.Models.Generation;
using AlignLab.Theory;
using MathNet.Numerics.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Estimation;

/// <summary>
/// Monte-Carlo estimates from the sampler + best-of-n selection against the exact values of the theory module on the
/// pretrained toy base. Every check is at a fixed seed; tolerances are 4 standard errors (a correct sampler fails one
/// such check with probability ≈ 6e-5).
/// </summary>
[Collection(ToyBaseCollection.Name)]
public class ExactEvaluationTests(ToyBaseFixture fixture)
{
    private const int SamplesPerPrompt = 150;

    /// <summary>Best-of-n draws for every prompt, m per prompt: [K·m, L] responses (prompt-major).</summary>
    private static Tensor BestOfNSamples(ToyTask task, TinyGpt model, int n, int m, Generator g)
    {
        using var scope = NewDisposeScope();
        var prompts = task.Prompts.repeat_interleave(m, dim: 0);
        using var batch = model.Sample(prompts, n, new SamplingOptions(task.Config.ResponseLength), g);
        var rewards = task.GoldReward.Score(batch.Prompts, batch.Responses).view(-1, n);
        var best = CandidateSelection.BestIndices(rewards, g);
        return CandidateSelection.Gather(batch.Responses, best, n).MoveToOuterDisposeScope();
    }

    private static long[] Indices(Tensor responses, int vocab) =>
        responses.data<long>().ToArray().Chunk((int)responses.shape[1]).Select(r => r.Aggregate(0L, (a, s) => a * vocab + s)).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(16)]
    public void SampledWinRateAndKl_OfBestOfN_MatchTheExactValues(int n)
    {
        var task = fixture.Task;
        int k = task.Config.PromptCount, m = SamplesPerPrompt;
        var prompts = Enumeration.BasePromptSet(task, fixture.Base);
        var bon = prompts.Prompts.Select(d => Tilting.BestOfN(d, n).Probabilities).ToArray();
        var exact = ExactEvaluation.Evaluate(prompts, bon);

        using var g = new Generator(1000 + (ulong)n);
        using var best = BestOfNSamples(task, fixture.Base, n, m, g);
        using var promptRows = task.Prompts.repeat_interleave(m, dim: 0);
        using var baseBatch = fixture.Base.Sample(task.Prompts, m, new SamplingOptions(task.Config.ResponseLength), g);
        using var bestRewards = task.GoldReward.Score(promptRows, best);
        using var baseRewards = task.GoldReward.Score(baseBatch.Prompts, baseBatch.Responses);
        var winRate = MonteCarloEstimators.WinRate(bestRewards, baseRewards);

        // KL from the policy's own samples: log π_n(y)/p(y) with π_n's log-probability from the theory module.
        var index = Indices(best, task.Config.VocabSize);
        var logPolicy = index.Select((y, i) => Math.Log(bon[i / m][(int)y])).ToArray();
        var logBase = index.Select((y, i) => Math.Log(prompts.Prompts[i / m].Probabilities[(int)y])).ToArray();
        using var lp = tensor(logPolicy);
        using var lb = tensor(logBase);
        var kl = MonteCarloEstimators.Kl(lp, lb);

        Assert.True(winRate.ZScore(exact.WinRate) < 4, $"n={n}: win rate {winRate} vs exact {exact.WinRate}");
        Assert.True(n == 1 ? Math.Abs(kl.Value) < 1e-12 : kl.ZScore(exact.Kl) < 4, $"n={n}: KL {kl} vs exact {exact.Kl}");
        // Sanity of the exact side against THEORY.md §2: W(π_1) = ½, and W(π_n) ≤ n/(n+1), KL ≤ log n − (n−1)/n.
        Assert.True(exact.WinRate <= n / (n + 1.0) + 1e-9 && exact.Kl <= Math.Log(n) - (n - 1.0) / n + 1e-9);
        if (n == 1) Assert.Equal(0.5, exact.WinRate, 9);
    }

    [Fact]
    public void SampledBestOfNResponses_FollowTheTheorysBestOfNDistribution()
    {
        // Chi-square goodness of fit for one prompt, n = 4, N draws; outcomes with expected count < 5 pooled into one bin.
        var task = fixture.Task;
        const int n = 4, draws = 20000, prompt = 5;
        var d = Enumeration.BaseDistribution(task, fixture.Base, prompt);
        var expected = Tilting.BestOfN(d, n).Probabilities.Select(p => p * draws).ToArray();

        using var g = new Generator(77);
        using var single = task.Prompts[prompt].unsqueeze(0).repeat(draws, 1);
        using var scope = NewDisposeScope();
        using var batch = fixture.Base.Sample(single, n, new SamplingOptions(task.Config.ResponseLength), g);
        var rewards = task.GoldReward.Score(batch.Prompts, batch.Responses).view(-1, n);
        var best = CandidateSelection.Gather(batch.Responses, CandidateSelection.BestIndices(rewards, g), n);
        var observed = new double[expected.Length];
        foreach (var y in Indices(best, task.Config.VocabSize)) observed[y]++;

        double chi2 = 0, pooledObserved = 0, pooledExpected = 0;
        int bins = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] < 5) { pooledObserved += observed[i]; pooledExpected += expected[i]; continue; }
            chi2 += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
            bins++;
        }
        if (pooledExpected > 0) { chi2 += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected; bins++; }
        double critical = ChiSquared.InvCDF(bins - 1, 0.999);
        Assert.True(bins > 20, $"only {bins} bins");
        Assert.True(chi2 < critical, $"chi2 = {chi2:F1} over {bins} bins, 0.999 critical value {critical:F1}");
    }

    [Fact]
    public void SharedPromptCache_GivesTheSameBestOfNDistributionAsIndependentSampling()
    {
        // Both paths consume the same random numbers, so at one seed their draws coincide exactly.
        var task = fixture.Task;
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        using var shared = fixture.Base.Sample(task.Prompts, 16, new SamplingOptions(5), g1);
        using var separate = fixture.Base.Sample(task.Prompts, 16, new SamplingOptions(5, SharePromptCache: false), g2);
        Assert.Equal(shared.Responses.data<long>().ToArray(), separate.Responses.data<long>().ToArray());
    }

    [Fact]
    public void ExactEvaluation_OfTheBaseItself_IsHalfAndZero()
    {
        var task = fixture.Task;
        var metrics = ExactEvaluation.Evaluate(task, fixture.Base, fixture.Base, task.OffTarget);
        Assert.Equal(0.5, metrics.WinRate, 9);
        Assert.Equal(0.0, metrics.Kl, 12);
        // E[count of symbol 1] lies in [0, L].
        Assert.InRange(metrics.ExpectedOffTarget, 0, task.Config.ResponseLength);
        var prompts = Enumeration.BasePromptSet(task, fixture.Base);
        var expectedReward = prompts.Prompts.Average(d => d.Probabilities.Zip(d.Rewards, (p, r) => p * r).Sum());
        Assert.Equal(expectedReward, metrics.ExpectedReward, 9);
    }
}
