using AlignLab.Engine.Selection;
using AlignLab.Engine.Tests.Methods;
using AlignLab.Theory;
using AlignLab.Theory.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Selection;

public class CandidateSelectionTests
{
    private const int Groups = 20_000;
    private const int N = 4;

    /// <summary>Draws Groups × N outcome ids from the tied base and their rewards [Groups, N].</summary>
    private static (Tensor Outcomes, Tensor Rewards) Candidates(Generator generator)
    {
        using var probs = tensor(TabularFixtures.Probabilities).unsqueeze(0).expand(Groups, -1);
        var outcomes = multinomial(probs, N, replacement: true, generator: generator);
        using var table = tensor(TabularFixtures.Rewards);
        return (outcomes, table.index_select(0, outcomes.reshape(-1)).reshape(Groups, N));
    }

    [Fact]
    public void BestIndices_SelectedOutcomes_FollowBestOfN_WithTies_ChiSquare()
    {
        using var generator = new torch.Generator(11);
        var (outcomes, rewards) = Candidates(generator);
        using var best = CandidateSelection.BestIndices(rewards, generator);
        using var picked = outcomes.gather(1, best.unsqueeze(1)).reshape(-1);
        var counts = new long[6];
        foreach (var y in picked.data<long>().ToArray()) counts[y]++;
        var expected = Tilting.BestOfN(TabularFixtures.Distribution(), N).Probabilities;
        var (statistic, critical) = TabularFixtures.ChiSquare(counts, expected);
        Assert.True(statistic < critical, $"chi-square {statistic} >= {critical}");
        outcomes.Dispose();
        rewards.Dispose();
    }

    [Fact]
    public void BestAndWorst_JointOutcomes_FollowBestWorstLaw_ChiSquare()
    {
        using var generator = new torch.Generator(12);
        var (outcomes, rewards) = Candidates(generator);
        using var picks = CandidateSelection.BestAndWorstIndices(rewards, generator);
        var best = outcomes.gather(1, picks.Best.unsqueeze(1)).reshape(-1).data<long>().ToArray();
        var worst = outcomes.gather(1, picks.Worst.unsqueeze(1)).reshape(-1).data<long>().ToArray();
        Assert.All(Enumerable.Range(0, Groups), g => Assert.NotEqual(picks.Best[g].item<long>(), picks.Worst[g].item<long>()));
        var counts = new long[36];
        for (var g = 0; g < Groups; g++) counts[best[g] * 6 + worst[g]]++;
        var joint = BestWorstLaw.Joint(TabularFixtures.Distribution(), N);
        var expected = Enumerable.Range(0, 36).Select(c => joint[c / 6, c % 6]).ToArray();
        var (statistic, critical) = TabularFixtures.ChiSquare(counts, expected);
        Assert.True(statistic < critical, $"chi-square {statistic} >= {critical}");
        outcomes.Dispose();
        rewards.Dispose();
    }

    [Fact]
    public void Ties_AreBrokenUniformly()
    {
        // Rows [1, 3, 3, 0]: best is position 1 or 2, each with probability 1/2; worst is always 3.
        using var generator = new torch.Generator(5);
        using var scores = tensor(new float[] { 1, 3, 3, 0 }).unsqueeze(0).expand(10_000, -1).contiguous();
        using var picks = CandidateSelection.BestAndWorstIndices(scores, generator);
        var best = picks.Best.data<long>().ToArray();
        Assert.All(best, b => Assert.True(b is 1 or 2));
        // Binomial(10000, 1/2): standard error 50; 4 standard errors = 200.
        Assert.InRange(best.Count(b => b == 1), 4800, 5200);
        Assert.All(picks.Worst.data<long>().ToArray(), w => Assert.Equal(3, w));
    }

    [Fact]
    public void Gather_PicksRowWithinEachGroup()
    {
        using var candidates = arange(6, ScalarType.Int64).reshape(6, 1);
        using var indices = tensor(new long[] { 2, 0 });
        using var picked = CandidateSelection.Gather(candidates, indices, 3);
        Assert.Equal(new long[] { 2, 3 }, picked.reshape(-1).data<long>().ToArray());
    }

    [Fact]
    public void BadShapes_Throw_NamingArgument()
    {
        using var generator = new torch.Generator(1);
        using var scores = zeros(4);
        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => CandidateSelection.BestIndices(scores, generator)).ParamName);
        using var candidates = zeros(5, 1);
        using var indices = zeros(2, ScalarType.Int64);
        Assert.Equal("candidates", Assert.Throws<ArgumentException>(() => CandidateSelection.Gather(candidates, indices, 3)).ParamName);
    }
}
