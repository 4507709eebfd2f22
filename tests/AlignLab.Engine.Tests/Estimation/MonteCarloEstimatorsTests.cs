using AlignLab.Engine.Estimation;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Estimation;

public class MonteCarloEstimatorsTests
{
    [Fact]
    public void MeanOf_GivesSampleMeanAndStandardError()
    {
        // Values 1..4: mean 2.5, sample variance 5/3, standard error sqrt(5/3 / 4).
        var e = MonteCarloEstimators.MeanOf([1.0, 2, 3, 4]);
        Assert.Equal(2.5, e.Value, 12);
        Assert.Equal(Math.Sqrt(5.0 / 12), e.StandardError, 12);
        Assert.Equal(4, e.SampleCount);
    }

    [Fact]
    public void WinRate_CountsTiesHalf()
    {
        using var policy = tensor(new float[] { 3, 1, 2, 2 });
        using var @base = tensor(new float[] { 1, 3, 2, 0 });
        Assert.Equal((1 + 0 + 0.5 + 1) / 4, MonteCarloEstimators.WinRate(policy, @base).Value, 12);
    }

    [Fact]
    public void Kl_IsTheMeanLogRatio()
    {
        using var policy = tensor(new double[] { -1, -2, -0.5 });
        using var @base = tensor(new double[] { -2, -2, -3 });
        Assert.Equal((1 + 0 + 2.5) / 3, MonteCarloEstimators.Kl(policy, @base).Value, 12);
    }

    [Fact]
    public void MismatchedRows_OrNoSamples_Throw()
    {
        using var a = zeros(3);
        using var b = zeros(4);
        Assert.Contains("batch sizes", Assert.Throws<ArgumentException>(() => MonteCarloEstimators.WinRate(a, b)).Message);
        Assert.Throws<ArgumentException>(() => MonteCarloEstimators.Kl(a, b));
        Assert.Throws<ArgumentException>(() => MonteCarloEstimators.MeanOf([]));
        Assert.Contains("terms[1]", Assert.Throws<ArgumentException>(() => MonteCarloEstimators.MeanOf([1.0, double.NaN])).Message);
    }

    [Fact]
    public void ZScore_MeasuresDistanceInStandardErrors()
    {
        Assert.Equal(2.0, new Estimate(1.0, 0.5, 10).ZScore(2.0), 12);
        Assert.Equal(0.0, Estimate.Exact(3).ZScore(3));
    }

    [Fact]
    public void Stratified_OnHandMadeNumbers_IsTheWithinPromptFormula()
    {
        // Two prompts, m = 2: means 2 and 12 (value 7); s₁² = 2, s₂² = 8; SE² = (2 + 8)/(2·2²) = 1.25. The i.i.d. formula
        // would also count the spread between the prompts: s²/M = (203/3)/4.
        var e = MonteCarloEstimators.Stratified([1.0, 3, 10, 14], 2);
        Assert.Equal(7, e.Value, 12);
        Assert.Equal(Math.Sqrt(1.25), e.StandardError, 12);
        Assert.Equal(4, e.SampleCount);
        Assert.Equal(MonteCarloEstimators.MeanOf([1.0, 3, 10, 14]), MonteCarloEstimators.Stratified([1.0, 3, 10, 14], 1));
        Assert.Contains("whole number of prompts", Assert.Throws<ArgumentException>(() => MonteCarloEstimators.Stratified([1.0, 2, 3], 2)).Message);
        Assert.Throws<ArgumentException>(() => MonteCarloEstimators.Stratified([1.0, 2], 0));
    }

    [Fact]
    public void Stratified_StandardError_IsUnbiasedAndCoversAtTheNominalRate()
    {
        // K = 10 fixed prompts with very different means and spreads, m = 4 samples each, 4,000 repetitions. The true
        // variance of the average is Σ σ_k²/(m·K²); E[SE²] must match it (the i.i.d. formula would be ~40× larger) and
        // |estimate − truth| ≤ 2·SE must hold about 95% of the time (≈ 94% with 30 degrees of freedom).
        const int k = 10, m = 4, repetitions = 4000;
        var means = Enumerable.Range(0, k).Select(i => 3.0 * i).ToArray();
        var sigmas = Enumerable.Range(0, k).Select(i => 0.5 + 0.2 * i).ToArray();
        double truth = means.Average(), trueVariance = sigmas.Sum(s => s * s) / (m * k * k);
        var random = new Random(2024);
        double meanSquaredSe = 0;
        int covered = 0;
        var terms = new double[k * m];
        for (int r = 0; r < repetitions; r++)
        {
            for (int i = 0; i < k; i++)
                for (int j = 0; j < m; j++)
                    terms[i * m + j] = MathNet.Numerics.Distributions.Normal.Sample(random, means[i], sigmas[i]);
            var e = MonteCarloEstimators.Stratified(terms, m);
            meanSquaredSe += e.StandardError * e.StandardError / repetitions;
            if (Math.Abs(e.Value - truth) <= 2 * e.StandardError) covered++;
        }
        // SE² has relative standard deviation ≈ 0.25 per repetition, so its mean over 4,000 is within ±3% at ~7σ.
        Assert.InRange(meanSquaredSe / trueVariance, 0.97, 1.03);
        Assert.InRange(covered / (double)repetitions, 0.92, 0.96);
    }

    [Fact]
    public void PromptMajorEstimators_UseTheStratifiedStandardError()
    {
        using var policy = tensor(new[] { 1.0, 3, 10, 14 });
        using var @base = tensor(new[] { 0.0, 0, 0, 0 });
        Assert.Equal(MonteCarloEstimators.Stratified([1.0, 3, 10, 14], 2), MonteCarloEstimators.Mean(policy, 2));
        Assert.Equal(MonteCarloEstimators.Stratified([1.0, 3, 10, 14], 2), MonteCarloEstimators.Kl(policy, @base, 2));
        Assert.Equal(MonteCarloEstimators.Stratified([1.0, 1, 1, 1], 2), MonteCarloEstimators.WinRate(policy, @base, 2));
    }
}
