using AlignLab.Engine.Policies;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Models;

public class TinyGptTests
{
    private static TinyGpt Model(long seed = 1, long endToken = -1)
    {
        manual_seed(seed);
        return new TinyGpt(new TinyGptConfig(VocabSize: 3, PromptLength: 2, DModel: 16, Heads: 2, Layers: 2, MaxLength: 6, EndToken: endToken));
    }

    [Fact]
    public void ParameterCount_MatchesTheArchitectureWithTiedEmbedding()
    {
        using var model = Model();
        int v = 3, d = 16, t = 6, layers = 2;
        long block = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d);
        long expected = v * d + t * d + layers * block + 2 * d; // no separate output matrix: it is the embedding
        Assert.Equal(expected, model.ParameterCount);
    }

    [Fact]
    public void SequenceProbabilities_SumToOneOverAllResponses()
    {
        using var model = Model();
        // Every response of length 3 over 3 tokens, for two prompts.
        var all = Enumerable.Range(0, 27).Select(i => new long[] { i / 9, i / 3 % 3, i % 3 }).SelectMany(r => r).ToArray();
        foreach (var prompt in new[] { new long[] { 0, 1 }, new long[] { 2, 2 } })
        {
            using var responses = tensor(all, 27, 3);
            using var prompts = tensor(prompt).repeat(27, 1);
            using var total = model.SequenceLogProbs(prompts, responses).exp().sum();
            Assert.Equal(1.0, total.item<float>(), 5);
        }
    }

    [Fact]
    public void TokensAfterEndToken_DoNotCount()
    {
        using var model = Model(endToken: 0);
        using var prompts = tensor(new long[] { 1, 2, 1, 2 }, 2, 2);
        using var responses = tensor(new long[] { 2, 0, 1, 2, 1, 2 }, 2, 3);
        using var perToken = model.TokenLogProbs(prompts, responses);
        Assert.Equal(0f, perToken[0, 2].item<float>());
        Assert.NotEqual(0f, perToken[0, 1].item<float>()); // the end token itself counts
        Assert.NotEqual(0f, perToken[1, 2].item<float>()); // no end token in row 1
    }

    [Fact]
    public void CachedForward_MatchesFullForward()
    {
        using var model = Model();
        using var tokens = tensor(new long[] { 0, 1, 2, 2, 1, 1, 0, 2, 0, 1 }, 2, 5);
        using var full = model.forward(tokens);
        using var cache = model.NewCache(2, model.Config.MaxLength);
        using var prefix = model.forward(tokens[TensorIndex.Colon, TensorIndex.Slice(0, 2)], cache);
        using var chunk = model.forward(tokens[TensorIndex.Colon, TensorIndex.Slice(2, 4)], cache); // T > 1 after a prefix
        using var last = model.forward(tokens[TensorIndex.Colon, TensorIndex.Slice(4, 5)], cache);
        using var stepped = cat([prefix, chunk, last], 1);
        Assert.True(stepped.allclose(full, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void MismatchedBatchSizes_Throw()
    {
        using var model = Model();
        using var prompts = zeros([2, 2], ScalarType.Int64);
        using var responses = zeros([3, 2], ScalarType.Int64);
        var e = Assert.Throws<ArgumentException>(() => model.SequenceLogProbs(prompts, responses));
        Assert.Contains("batch sizes", e.Message);
    }
}
