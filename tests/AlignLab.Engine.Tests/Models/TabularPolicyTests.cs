using AlignLab.Engine.Policies;
using AlignLab.Engine.Tests.Methods;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Models;

public class TabularPolicyTests
{
    [Fact]
    public void FromProbabilities_ReproducesTable()
    {
        using var policy = TabularPolicy.FromProbabilities([[0.5, 0.25, 0.25], [0.1, 0.6, 0.3]]);
        var table = policy.Probabilities();
        Assert.Equal(0.25, table[0][2], 6);
        Assert.Equal(0.6, table[1][1], 6);
        Assert.Equal(6, policy.ParameterCount);
        Assert.Equal(1, policy.PromptLength);
    }

    [Fact]
    public void DefaultLogits_AreUniform()
    {
        using var policy = new TabularPolicy(new TabularPolicyConfig(2, 4));
        Assert.All(policy.Probabilities().SelectMany(r => r), p => Assert.Equal(0.25, p, 12));
    }

    [Fact]
    public void SequenceLogProbs_LooksUpPromptAndOutcome_WithGradient()
    {
        using var policy = TabularPolicy.FromProbabilities([[0.5, 0.25, 0.25], [0.1, 0.6, 0.3]]);
        using var prompts = tensor(new long[] { 1, 0, 1 }).reshape(-1, 1);
        using var responses = tensor(new long[] { 1, 0, 2 }).reshape(-1, 1);
        using var logProbs = policy.SequenceLogProbs(prompts, responses);
        var values = logProbs.data<float>().ToArray();
        Assert.Equal(Math.Log(0.6), values[0], 5);
        Assert.Equal(Math.Log(0.5), values[1], 5);
        Assert.Equal(Math.Log(0.3), values[2], 5);
        logProbs.sum().backward();
        // d/dθ_{1,k} of log π(1|1) + log π(2|1) = [k=1] + [k=2] − 2 π(k|1).
        var grad = policy.Logits.grad!.data<float>().ToArray();
        Assert.Equal(1 - 2 * 0.6, grad[4], 5);
        Assert.Equal(-2 * 0.1, grad[3], 5);
    }

    [Fact]
    public void Sample_MatchesTable_ChiSquare()
    {
        using var policy = TabularPolicy.FromProbabilities([TabularFixtures.Probabilities]);
        using var generator = new torch.Generator(7);
        using var prompts = zeros(1, 1, ScalarType.Int64);
        using var batch = policy.Sample(prompts, 20_000, TabularFixtures.Sampling, generator);
        var counts = new long[6];
        foreach (var y in batch.Responses.data<long>().ToArray()) counts[y]++;
        var (statistic, critical) = TabularFixtures.ChiSquare(counts, TabularFixtures.Probabilities);
        Assert.True(statistic < critical, $"chi-square {statistic} >= {critical}");
        Assert.Equal(new long[] { 20_000, 1 }, batch.Responses.shape);
        Assert.Equal(Math.Log(TabularFixtures.Probabilities[batch.Responses[0, 0].item<long>()]), batch.LogProbs[0].item<float>(), 5);
    }

    [Fact]
    public void Sample_TopK_DropsUnlikelyOutcomes()
    {
        using var policy = TabularPolicy.FromProbabilities([TabularFixtures.Probabilities]);
        using var generator = new torch.Generator(3);
        using var prompts = zeros(1, 1, ScalarType.Int64);
        using var batch = policy.Sample(prompts, 2000, new SamplingOptions(1, TopK: 2), generator);
        // LogitFilter's tie rule: 3 (0.25) and both outcomes tied with the 2nd largest, 1 and 4 (0.2), survive.
        Assert.Equal(new long[] { 1, 3, 4 }, batch.Responses.unique().Item1.data<long>().ToArray());
    }

    [Fact]
    public void WrongShapes_Throw_NamingArgument()
    {
        using var policy = new TabularPolicy(new TabularPolicyConfig(1, 3));
        using var prompts = zeros(2, 2, ScalarType.Int64);
        using var responses = zeros(2, 1, ScalarType.Int64);
        var e = Assert.Throws<ArgumentException>(() => policy.SequenceLogProbs(prompts, responses));
        Assert.Equal("prompts", e.ParamName);
        Assert.Throws<ArgumentException>(() => new TabularPolicyConfig(0, 3).Validate());
        var z = Assert.Throws<ArgumentException>(() => TabularPolicy.FromProbabilities([[0.5, 0.0, 0.5]]));
        Assert.Contains("[0][1]", z.Message);
    }
}
