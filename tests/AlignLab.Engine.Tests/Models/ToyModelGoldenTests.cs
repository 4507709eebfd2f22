using System.Text.Json;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Rewards;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Models;

/// <summary>
/// Pins the toy models bit for bit: fixed-seed log-probs, samples and rewards of <see cref="TinyGpt"/> and
/// <see cref="RewardModel"/>, recorded before TinyGpt became a configuration of the GPT-2 architecture. Every number in
/// the docs and every cached toy base depends on these draws and ops staying the same. Values are stored as the bits of
/// the float32 results, so "equal" means identical. Set ALIGNLAB_WRITE_GOLDEN=1 to rewrite the file (only when a change
/// of the toy numbers is intended).
/// </summary>
public class ToyModelGoldenTests
{
    private static readonly string FixturePath = Path.Combine(AppContext.BaseDirectory, "Models", "Fixtures", "tinygpt-seed0.json");

    private static readonly TinyGptConfig Config = new(VocabSize: 6, PromptLength: 3, DModel: 32, Heads: 2, Layers: 2, MaxLength: 8, EndToken: 5);

    [Fact]
    public void TinyGptAndRewardModel_AtSeedZero_AreBitIdenticalToTheRecordedValues()
    {
        var actual = Compute();
        if (Environment.GetEnvironmentVariable("ALIGNLAB_WRITE_GOLDEN") == "1")
        {
            var source = Path.Combine(SourceFolder(), "Models", "Fixtures", "tinygpt-seed0.json");
            File.WriteAllText(source, JsonSerializer.Serialize(actual, new JsonSerializerOptions { WriteIndented = true }));
        }
        var expected = JsonSerializer.Deserialize<Dictionary<string, long[]>>(File.ReadAllText(FixturePath))!;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, values) in expected)
            Assert.True(values.SequenceEqual(actual[key]), $"'{key}' differs: expected [{string.Join(", ", values)}], got [{string.Join(", ", actual[key])}]");
    }

    private static Dictionary<string, long[]> Compute()
    {
        var result = new Dictionary<string, long[]>();
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new TinyGpt(Config);
        var prompts = tensor(new long[] { 0, 1, 2, 3, 4, 4 }, 2, 3);
        var responses = tensor(new long[] { 1, 2, 3, 4, 0, 5, 0, 0, 2, 1 }, 2, 5);
        using (no_grad())
            result["token_logprobs"] = Bits(model.TokenLogProbs(prompts, responses));

        using var generator = new Generator(0);
        using (var plain = model.Sample(prompts, 3, new SamplingOptions(MaxLength: 5, EndTokens: [5]), generator))
        {
            result["sample_tokens"] = plain.Responses.reshape(-1).data<long>().ToArray();
            result["sample_logprobs"] = Bits(plain.TokenLogProbs);
        }
        using (var filtered = model.Sample(prompts, 4, new SamplingOptions(MaxLength: 5, Temperature: 0.7, TopK: 3, TopP: 0.9, EndTokens: [5]), generator))
        {
            result["filtered_tokens"] = filtered.Responses.reshape(-1).data<long>().ToArray();
            result["filtered_logprobs"] = Bits(filtered.TokenLogProbs);
        }

        manual_seed(0);
        using var reward = new RewardModel(Config);
        using (no_grad())
            result["reward_scores"] = Bits(reward.Score(prompts, responses));
        return result;
    }

    private static long[] Bits(Tensor t) =>
        t.detach().to(ScalarType.Float32).contiguous().reshape(-1).data<float>().ToArray().Select(f => (long)BitConverter.SingleToInt32Bits(f)).ToArray();

    private static string SourceFolder([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(file))!;
}
