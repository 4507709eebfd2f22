using AlignLab.Engine.Estimation;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Tasks;
using AlignLab.Engine.Tests.Tasks;
using AlignLab.Engine.Training;
using AlignLab.Models;
using AlignLab.Models.Generation;
using AlignLab.Models.HuggingFace;
using AlignLab.Theory;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Estimation;

/// <summary>
/// The Monte-Carlo evaluator on the real-model path checked against the truth: the pretrained toy base and a policy
/// trained from it (a few SFT-BoN steps) are saved as Hugging Face folders and loaded back as GPT-2, then every estimate
/// is compared with <see cref="ExactEvaluation"/>'s enumeration of the same two models. Fixed seeds; tolerance 4
/// standard errors (a correct estimator fails one such check with probability ≈ 6e-5).
/// </summary>
[Collection(ToyBaseCollection.Name)]
public sealed class MonteCarloEvaluationTests : IDisposable
{
    private readonly ToyTask _task;
    private readonly string _folder = Directory.CreateTempSubdirectory("alignlab-mceval-").FullName;
    private readonly CausalLm _reference;
    private readonly MonteCarloConfig _config;
    private readonly ITestOutputHelper _output;

    public MonteCarloEvaluationTests(ToyBaseFixture fixture, ITestOutputHelper output)
    {
        _output = output;
        _task = fixture.Task;
        HuggingFaceFolder.Save(fixture.Base, Path.Combine(_folder, "base"));
        _reference = HuggingFaceFolder.Load(Path.Combine(_folder, "base"));
        _config = new MonteCarloConfig(new SamplingOptions(_task.Config.ResponseLength), SamplesPerPrompt: 8, BatchSize: 12);
    }

    public void Dispose()
    {
        _reference.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The base after 12 SFT-BoN (n = 4) steps, saved as a Hugging Face folder and loaded back.</summary>
    private CausalLm TrainedPolicy()
    {
        using (var policy = HuggingFaceFolder.Load(Path.Combine(_folder, "base")))
        {
            var method = new SftBonMethod(policy, _reference, _task.Prompts, _task.GoldReward,
                new SftBonConfig(new SamplingOptions(_task.Config.ResponseLength), N: 4, BatchSize: 64));
            new Trainer(new TrainerConfig(Steps: 12, LearningRate: 3e-3, LogEvery: 12, Seed: 3)).Run(method);
            HuggingFaceFolder.Save(policy, Path.Combine(_folder, "policy"));
        }
        return HuggingFaceFolder.Load(Path.Combine(_folder, "policy"));
    }

    private void AssertWithin4(Estimate estimate, double exact, string what)
    {
        _output.WriteLine($"{what}: Monte Carlo {estimate}, exact {exact:G6}, z = {estimate.ZScore(exact):F2}");
        Assert.True(estimate.StandardError > 0 && double.IsFinite(estimate.StandardError), $"{what}: standard error {estimate.StandardError}");
        Assert.True(estimate.ZScore(exact) < 4, $"{what}: {estimate} vs exact {exact:G6} (z = {estimate.ZScore(exact):F2})");
    }

    [Fact]
    public void Evaluate_OfATrainedPolicyLoadedFromAFolder_AgreesWithExactEnumeration()
    {
        using var policy = TrainedPolicy();
        var exact = ExactEvaluation.Evaluate(_task, policy, _reference);
        using var g = new Generator(11);
        var mc = MonteCarloEvaluation.Evaluate(policy, _reference, _task.GoldReward, _task.Prompts, null, _config, g);

        // The policy moved away from the base, so the check is not the trivial π = p one.
        Assert.True(exact.Kl > 0.05 && exact.WinRate > 0.55, $"exact KL {exact.Kl}, win rate {exact.WinRate}");
        AssertWithin4(mc.WinRate, exact.WinRate, "win rate");
        AssertWithin4(mc.Kl, exact.Kl, "KL");
        AssertWithin4(mc.ExpectedReward, exact.ExpectedReward, "expected reward");
        // Toy responses have no end token: every one is ResponseLength tokens long.
        Assert.Equal(Estimate.Exact(_task.Config.ResponseLength) with { SampleCount = 32 * 8 }, mc.Length);
        Assert.Equal(32 * 8, mc.WinRate.SampleCount);
        Assert.True(double.IsNaN(mc.KlBound));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void EvaluateBestOfN_AgreesWithTheExactBestOfNDistribution(int n)
    {
        var prompts = Enumeration.BasePromptSet(_task, _reference);
        var exact = ExactEvaluation.Evaluate(prompts, prompts.Prompts.Select(d => Tilting.BestOfN(d, n).Probabilities).ToArray());
        using var g = new Generator(20 + (ulong)n);
        var mc = MonteCarloEvaluation.EvaluateBestOfN(_reference, _task.GoldReward, n, _task.Prompts, null, _config, g);

        AssertWithin4(mc.WinRate, exact.WinRate, $"BoN_{n} win rate");
        AssertWithin4(mc.Kl, exact.Kl, $"BoN_{n} KL");
        AssertWithin4(mc.ExpectedReward, exact.ExpectedReward, $"BoN_{n} expected reward");
        Assert.Equal(Math.Log(n) - (n - 1.0) / n, mc.KlBound, 15);
        Assert.True(exact.Kl <= mc.KlBound + 1e-9, $"exact BoN KL {exact.Kl} above the bound {mc.KlBound}");
    }

    [Fact]
    public void EvaluateBestOfN_UnderATiedReward_AgreesWithTheExactDiscreteBestOfN()
    {
        // The symbol count without the tie-breaker takes 6 values over 7,776 responses: best-of-n breaks ties at random,
        // the win rate counts them half, the KL estimate uses the tie-aware ratio (Fⁿ − F⁻ⁿ)/q, and the true KL lies
        // well below the continuous value log n − (n−1)/n.
        const int n = 4;
        var tied = Rewards.GoldRewards.SymbolCount(_task.Config.TargetSymbol);
        var prompts = new PromptSet(Enumerable.Range(0, _task.Config.PromptCount)
            .Select(k => new RewardDistribution(Enumeration.Probabilities(_task, _reference, k), Enumeration.Values(_task, tied, k))).ToArray());
        var exact = ExactEvaluation.Evaluate(prompts, prompts.Prompts.Select(d => Tilting.BestOfN(d, n).Probabilities).ToArray());
        using var g = new Generator(31);
        var mc = MonteCarloEvaluation.EvaluateBestOfN(_reference, tied, n, _task.Prompts, null, _config, g);

        Assert.True(exact.Kl < 0.8 * mc.KlBound, $"exact KL {exact.Kl} is not far below the bound {mc.KlBound}");
        AssertWithin4(mc.WinRate, exact.WinRate, "tied BoN_4 win rate");
        AssertWithin4(mc.Kl, exact.Kl, "tied BoN_4 KL");
        AssertWithin4(mc.ExpectedReward, exact.ExpectedReward, "tied BoN_4 expected reward");
    }

    [Fact]
    public void Evaluate_OfTheReferenceAgainstItself_HasKlExactlyZeroAndWinRateAHalf()
    {
        using var g = new Generator(5);
        var mc = MonteCarloEvaluation.Evaluate(_reference, _reference, _task.GoldReward, _task.Prompts, null, _config, g);
        Assert.Equal(Estimate.Exact(0) with { SampleCount = 32 * 8 }, mc.Kl);
        // Exact by exchangeability: two independent samples of one model, ties half.
        Assert.Equal(Estimate.Exact(0.5) with { SampleCount = 32 * 8 }, mc.WinRate);
    }

    [Fact]
    public void BestOfOne_IsTheReference_WithKlEstimateAndBoundZero()
    {
        // n = 1: every draw is a plain reference sample and log π_1/p = 0 whatever the empirical CDF.
        using var g = new Generator(6);
        var mc = MonteCarloEvaluation.EvaluateBestOfN(_reference, _task.GoldReward, 1, _task.Prompts, null, _config, g);
        Assert.Equal(0.0, mc.Kl.Value, 12);
        Assert.Equal(0.0, mc.KlBound, 15);
        AssertWithin4(mc.WinRate, 0.5, "BoN_1 win rate");
    }

    [Fact]
    public void SameSeed_GivesTheSameEstimates_AndProgressReportsEveryBatch()
    {
        var reports = new List<double>();
        using var g1 = new Generator(9);
        using var g2 = new Generator(9);
        var a = MonteCarloEvaluation.EvaluateBestOfN(_reference, _task.GoldReward, 4, _task.Prompts, null, _config, g1, new SynchronousProgress(reports.Add));
        var b = MonteCarloEvaluation.EvaluateBestOfN(_reference, _task.GoldReward, 4, _task.Prompts, null, _config, g2);
        Assert.Equal(a, b);
        // 32 prompts in batches of 12: 12, 24, 32.
        Assert.Equal([12 / 32.0, 24 / 32.0, 1.0], reports);
    }

    [Fact]
    public void BadInput_IsAnArgumentExceptionNamingIt()
    {
        using var g = new Generator(0);
        var reward = _task.GoldReward;
        using var floats = _task.Prompts.to(ScalarType.Float32);
        Assert.Equal("prompts", Assert.Throws<ArgumentException>(() => MonteCarloEvaluation.Evaluate(_reference, _reference, reward, floats, null, _config, g)).ParamName);
        using var mask = ones([3, 3], ScalarType.Bool);
        Assert.Equal("promptMask", Assert.Throws<ArgumentException>(() => MonteCarloEvaluation.Evaluate(_reference, _reference, reward, _task.Prompts, mask, _config, g)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentException>(() => MonteCarloEvaluation.EvaluateBestOfN(_reference, reward, 0, _task.Prompts, null, _config, g)).ParamName);
        Assert.Equal("SamplesPerPrompt", Assert.Throws<ArgumentException>(() =>
            MonteCarloEvaluation.Evaluate(_reference, _reference, reward, _task.Prompts, null, _config with { SamplesPerPrompt = 0 }, g)).ParamName);
    }

    [Fact]
    public void LeftPaddedPrompts_WithTheirMask_GiveTheEstimatesOfTheUnpaddedOnes()
    {
        // One column of left padding (token 0, a real symbol, so reading it as text would change every draw); 4-token
        // responses keep the padded rows within the model's 8 positions. Same seed, so the same draws: only the
        // float32 rounding of the masked forward may differ.
        using var policy = TrainedPolicy();
        var config = _config with { Sampling = new SamplingOptions(4), SamplesPerPrompt = 4 };
        using var padded = cat([zeros([_task.Prompts.shape[0], 1], ScalarType.Int64), _task.Prompts], 1);
        using var mask = cat([zeros([_task.Prompts.shape[0], 1], ScalarType.Bool), ones(_task.Prompts.shape, ScalarType.Bool)], 1);
        using var g1 = new Generator(8);
        using var g2 = new Generator(8);
        var plain = MonteCarloEvaluation.Evaluate(policy, _reference, _task.GoldReward, _task.Prompts, null, config, g1);
        var masked = MonteCarloEvaluation.Evaluate(policy, _reference, _task.GoldReward, padded, mask, config, g2);
        foreach (var (a, b) in new[] { (plain.WinRate, masked.WinRate), (plain.Kl, masked.Kl), (plain.ExpectedReward, masked.ExpectedReward), (plain.Length, masked.Length) })
        {
            Assert.Equal(a.Value, b.Value, 4);
            Assert.Equal(a.StandardError, b.StandardError, 4);
        }
    }

    [Fact]
    public void PaddedPrompts_WithARewardThatCannotReadThem_StopNamingTheReward()
    {
        // A two-argument programmatic reward reads prompts without a mask: the masked Score refuses real padding.
        var promptReader = new Rewards.FunctionReward("prompt-reader", (x, y) => x.sum(1) + y.sum(1));
        using var g = new Generator(0);
        using var mask = ones(_task.Prompts.shape, ScalarType.Bool);
        mask[0, 0] = tensor(false);
        var e = Assert.Throws<NotSupportedException>(() =>
            MonteCarloEvaluation.Evaluate(_reference, _reference, promptReader, _task.Prompts, mask, _config, g));
        Assert.Contains("prompt-reader", e.Message);
    }

    [Fact]
    public void NonFiniteReward_StopsNamingTheFigurePromptAndSample()
    {
        // NaN for responses that start with symbol 0: some sample of some prompt, found and named rather than averaged.
        var nanReward = new Rewards.FunctionReward("nan-on-0", (_, y) => where(y[TensorIndex.Colon, 0].eq(0), double.NaN, 1.0));
        using var g = new Generator(0);
        var e = Assert.Throws<InvalidOperationException>(() =>
            MonteCarloEvaluation.Evaluate(_reference, _reference, nanReward, _task.Prompts, null, _config, g));
        Assert.Matches(@"^The reward of sample \d of prompt \d+ is NaN, not finite\.$", e.Message);
    }

    // Progress<T> posts to the thread pool; this one reports in order, on the caller's thread.
    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
