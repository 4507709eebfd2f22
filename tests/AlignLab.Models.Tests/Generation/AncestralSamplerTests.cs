using AlignLab.Engine.Policies;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Models.Tests.Generation;

public class AncestralSamplerTests
{
    private static TinyGpt Model()
    {
        manual_seed(3);
        return new TinyGpt(new TinyGptConfig(VocabSize: 7, PromptLength: 3, DModel: 32, Heads: 4, Layers: 2, MaxLength: 16));
    }

    private static Tensor Prompts() => tensor(new long[] { 0, 1, 2, 3, 4, 5, 6, 6, 6 }, 3, 3);

    private static long[] Tokens(TinyGpt model, SamplingOptions options, int n = 8, long seed = 11)
    {
        using var prompts = Prompts();
        using var g = new Generator((ulong)seed);
        using var batch = model.Sample(prompts, n, options, g);
        return batch.Responses.data<long>().ToArray();
    }

    [Fact]
    public void KvCache_GivesExactlyTheUncachedTokens()
    {
        using var model = Model();
        var cached = Tokens(model, new SamplingOptions(12));
        var unshared = Tokens(model, new SamplingOptions(12, SharePromptCache: false));
        var uncached = Tokens(model, new SamplingOptions(12, UseKvCache: false));
        Assert.Equal(uncached, cached);
        Assert.Equal(uncached, unshared);
    }

    [Fact]
    public void SameSeed_SameTokens_DifferentSeed_DifferentTokens()
    {
        using var model = Model();
        Assert.Equal(Tokens(model, new SamplingOptions(10)), Tokens(model, new SamplingOptions(10)));
        Assert.NotEqual(Tokens(model, new SamplingOptions(10)), Tokens(model, new SamplingOptions(10), seed: 12));
    }

    [Fact]
    public void ReportedLogProbs_EqualTheModelsScores()
    {
        using var model = Model();
        using var prompts = Prompts();
        using var g = new Generator(5);
        using var batch = model.Sample(prompts, 4, new SamplingOptions(8), g);
        using var scored = SequenceScorer.LogProbs(model, batch.Prompts, batch.Responses, batchSize: 5);
        Assert.True(scored.allclose(batch.LogProbs, rtol: 1e-4, atol: 1e-4));
        Assert.Equal([12L, 8L], batch.Responses.shape);
        Assert.Equal(3, batch.PromptCount);
    }

    [Fact]
    public void TopKOne_AndTinyTopP_AreGreedy()
    {
        using var model = Model();
        using var prompts = Prompts();
        using var g = new Generator(5);
        using var greedy = model.Sample(prompts, 2, new SamplingOptions(6, TopK: 1), g);
        using var nucleus = model.Sample(prompts, 2, new SamplingOptions(6, TopP: 1e-6), g);
        Assert.Equal(greedy.Responses.data<long>().ToArray(), nucleus.Responses.data<long>().ToArray());
        Assert.True(greedy.LogProbs.eq(0).all().item<bool>()); // a filtered-to-one distribution is a point mass
        // Greedy decoding picks the argmax of the model's next-token distribution at every step.
        using var logits = model.forward(cat([greedy.Prompts, greedy.Responses], 1));
        using var argmax = logits[TensorIndex.Colon, TensorIndex.Slice(2, -1)].argmax(-1);
        Assert.Equal(argmax.data<long>().ToArray(), greedy.Responses.data<long>().ToArray());
    }

    [Fact]
    public void EndToken_StopsTheResponse()
    {
        using var model = Model();
        using var prompts = Prompts();
        using var g = new Generator(9);
        using var batch = model.Sample(prompts, 16, new SamplingOptions(10, EndTokens: [2]), g);
        var rows = batch.Responses.data<long>().ToArray().Chunk(10).ToArray();
        var lps = batch.TokenLogProbs.data<float>().ToArray().Chunk(10).ToArray();
        Assert.Contains(rows, r => r.Contains(2L));
        for (int i = 0; i < rows.Length; i++)
        {
            int end = Array.IndexOf(rows[i], 2L);
            if (end < 0) continue;
            Assert.All(rows[i][end..], t => Assert.Equal(2L, t));
            Assert.All(lps[i][(end + 1)..], lp => Assert.Equal(0f, lp));
        }
    }

    [Theory]
    [InlineData(0, 1.0, 1.0)]
    [InlineData(4, 0.0, 1.0)]
    [InlineData(4, -1.0, 1.0)]
    [InlineData(4, 1.0, 0.0)]
    [InlineData(4, 1.0, 1.5)]
    public void InvalidArguments_ThrowArgumentException(int n, double temperature, double topP)
    {
        using var model = Model();
        using var prompts = Prompts();
        using var g = new Generator(1);
        Assert.Throws<ArgumentException>(() => model.Sample(prompts, n, new SamplingOptions(4, temperature, TopP: topP), g));
    }

    [Fact]
    public void WrongPromptShape_OrTooLongResponse_Throw()
    {
        using var model = Model();
        using var g = new Generator(1);
        using var shortPrompts = zeros([2, 2], ScalarType.Int64);
        Assert.Throws<ArgumentException>(() => model.Sample(shortPrompts, 1, new SamplingOptions(4), g));
        using var prompts = Prompts();
        Assert.Throws<ArgumentException>(() => model.Sample(prompts, 1, new SamplingOptions(14), g));
    }
}
