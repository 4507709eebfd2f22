using AlignLab.Engine.Selection;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Selection;

public class RegularizedBestOfNTests
{
    [Fact]
    public void KlScores_AddBetaLogBase_ChangesTheChoice()
    {
        // r = (1.0, 1.2), log p = (−0.1, −2.0): β = 0 picks 1; β = 0.5 gives (0.95, 0.2) and picks 0.
        using var rewards = tensor(new float[] { 1.0f, 1.2f }).reshape(1, 2);
        using var logBase = tensor(new float[] { -0.1f, -2.0f }).reshape(1, 2);
        using var scores = RegularizedBestOfN.KlScores(rewards, logBase, 0.5);
        var s = scores.data<float>().ToArray();
        Assert.Equal(0.95f, s[0], 5);
        Assert.Equal(0.2f, s[1], 5);
        using var generator = new torch.Generator(1);
        using var choice = CandidateSelection.BestIndices(scores, generator);
        Assert.Equal(0, choice.item<long>());
    }

    [Fact]
    public void WassersteinScores_SubtractMeanDistance_HandComputed()
    {
        // Candidates (as length-2 token sequences) a = [0,0], b = [0,1], c = [5,5]; Hamming fractions:
        // d(a,b) = 0.5, d(a,c) = 1, d(b,c) = 1. Mean distance over j (incl. self): a 0.5, b 0.5, c 2/3.
        using var candidates = tensor(new long[] { 0, 0, 0, 1, 5, 5 }).reshape(1, 3, 2);
        using var rewards = tensor(new float[] { 0f, 0f, 0.2f }).reshape(1, 3);
        using var scores = RegularizedBestOfN.WassersteinScores(rewards, candidates, new HammingDistance(), 0.6);
        var s = scores.data<float>().ToArray();
        Assert.Equal(-0.3f, s[0], 5);
        Assert.Equal(-0.3f, s[1], 5);
        Assert.Equal(0.2f - 0.4f, s[2], 5);
    }

    [Fact]
    public void NegativeBeta_Throws_NamingBeta()
    {
        using var rewards = zeros(1, 2);
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => RegularizedBestOfN.KlScores(rewards, rewards, -1)).ParamName);
    }
}
