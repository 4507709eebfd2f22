using AlignLab.Engine.Methods;
using AlignLab.Models;
using AlignLab.Models.Generation;
using AlignLab.Models.HuggingFace;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Models.Tests.Families;

/// <summary>
/// A model with two end tokens, as Llama-3-Instruct (config.json's eos_token_id 5, generation_config.json's [5, 7]):
/// the folder's end-token set is both, sampling stops at either, and log-probs and lengths count through the first
/// end token of either id and nothing after it.
/// </summary>
public sealed class EndTokenSetTests : IDisposable
{
    private const long ConfigEos = 5, ChatEos = 7;
    private readonly string _folder = Directory.CreateTempSubdirectory("alignlab-two-eos-").FullName;
    private readonly CausalLm _model;

    public EndTokenSetTests()
    {
        manual_seed(4);
        using (var model = HuggingFaceFolder.Create(new TransformerConfig("gpt2", VocabSize: 12, HiddenSize: 16, Layers: 2, Heads: 2,
                   IntermediateSize: 32, MaxPositions: 32, EosTokenIds: [ConfigEos])))
        {
            // The final norm puts a constant 3 in hidden dimension 0, which only the end tokens' (tied) embeddings read:
            // each is drawn about one step in five, so rows end at either id within a few tokens.
            var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            using (no_grad())
            {
                parameters["transformer.ln_f.weight"][0].fill_(0);
                parameters["transformer.ln_f.bias"][0].fill_(3);
                foreach (var end in new[] { ConfigEos, ChatEos }) parameters["transformer.wte.weight"][end, 0].fill_(0.6);
            }
            HuggingFaceFolder.Save(model, _folder);
        }
        // Saved config.json names 5 alone; the chat-turn end comes from generation_config.json, as in Llama-3's folders.
        File.WriteAllText(Path.Combine(_folder, "generation_config.json"), $"{{\"eos_token_id\": [{ChatEos}, {ConfigEos}]}}");
        _model = HuggingFaceFolder.Load(_folder);
    }

    public void Dispose()
    {
        _model.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void EndTokens_AreConfigJsonsThenGenerationConfigsOthers_AndASavedFolderKeepsThem()
    {
        Assert.Equal([ConfigEos], _model.ModelConfig.EosTokenIds);
        Assert.Equal([ConfigEos, ChatEos], _model.EndTokens);
        var saved = Path.Combine(_folder, "saved");
        HuggingFaceFolder.Save(_model, saved);
        Assert.Equal([ConfigEos, ChatEos], TransformerConfig.Read(Path.Combine(saved, HuggingFaceFolder.ConfigFile)).EndTokens);
    }

    [Theory]
    [InlineData("\"two\"", "generation_config.json': eos_token_id must be a token id or a list of token ids")]
    [InlineData("[5, 99]", "config.json': generation_config.json eos_token_id 99 is not a token of the 12-token vocabulary.")]
    public void ABadGenerationConfigEos_IsRefusedNamingTheFile(string eos, string message)
    {
        File.WriteAllText(Path.Combine(_folder, "generation_config.json"), $"{{\"eos_token_id\": {eos}}}");
        var e = Assert.Throws<InvalidDataException>(() => HuggingFaceFolder.Load(_folder));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Sampling_StopsAtEitherEndToken_PadsWithTheFirst_AndItsLogProbsAreThePolicys()
    {
        using var prompts = tensor(new long[] { 1, 2, 3, 4, 8, 9 }, 2, 3);
        using var generator = new Generator(9);
        using var batch = _model.Sample(prompts, 32, new SamplingOptions(MaxLength: 8, EndTokens: _model.EndTokens), generator);
        var responses = batch.Responses.data<long>().ToArray();
        var sampledLogProbs = batch.TokenLogProbs.data<float>().ToArray();
        var endedAt = new HashSet<long>();
        int unfinished = 0;
        for (int row = 0; row < 64; row++)
        {
            var tokens = responses.AsSpan(row * 8, 8).ToArray();
            int end = Array.FindIndex(tokens, t => t is ConfigEos or ChatEos);
            if (end < 0)
            {
                unfinished++;
                continue;
            }
            endedAt.Add(tokens[end]);
            // After the first end token of either id: padding with the first id, log-prob 0.
            for (int t = end + 1; t < 8; t++)
            {
                Assert.Equal(ConfigEos, tokens[t]);
                Assert.Equal(0f, sampledLogProbs[row * 8 + t]);
            }
        }
        Assert.Equal([ConfigEos, ChatEos], endedAt.Order());
        Assert.True(unfinished > 0, "some rows reach the maximum length");

        // At temperature 1 without filters the sampling distribution is the policy's: the sequence log-probs the model
        // computes from the padded rows are the sampler's, so padding after either end token counts nothing.
        using var noGrad = no_grad();
        using var expected = batch.TokenLogProbs.sum(1);
        using var actual = _model.SequenceLogProbs(prompts.repeat_interleave(32, dim: 0), batch.Responses);
        Assert.True(allclose(actual, expected, rtol: 0, atol: 1e-4), $"max |Δ| {(actual - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void LogProbs_OfAResponseEndingInTheSecondId_AreItsTokensThroughThatId_ByHandFromTheLogits()
    {
        long[] prompt = [1, 2, 3];
        long[] response = [4, 9, ChatEos];
        using var noGrad = no_grad();
        // By hand: log softmax of forward's logits at the position before each response token.
        using var logits = _model.forward(tensor(prompt.Concat(response).ToArray()).unsqueeze(0)).to(ScalarType.Float64);
        using var logSoftmax = nn.functional.log_softmax(logits, -1);
        double byHand = 0;
        for (int t = 0; t < response.Length; t++) byHand += logSoftmax[0, prompt.Length - 1 + t, response[t]].item<double>();

        // The same response padded three ways: with the first end id, with other tokens, with the config's end id.
        using var prompts = tensor(prompt).unsqueeze(0).repeat(3, 1);
        using var padded = tensor(new long[]
        {
            4, 9, ChatEos, ConfigEos, ConfigEos,
            4, 9, ChatEos, 2, 11,
            4, 9, ChatEos, ChatEos, 0,
        }, 3, 5);
        using var sequence = _model.SequenceLogProbs(prompts, padded).to(ScalarType.Float64);
        foreach (var value in sequence.data<double>().ToArray()) Assert.Equal(byHand, value, 1e-5);
        using var tokenLogProbs = _model.TokenLogProbs(prompts, padded);
        Assert.Equal(0, tokenLogProbs[.., 3..].abs().sum().item<float>());
        Assert.Equal([3L, 3L, 3L], ResponseLengths.Of(padded, _model.EndTokens).data<long>().ToArray());
    }
}
