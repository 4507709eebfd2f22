using AlignLab.Engine.Rewards;
using AlignLab.Models;
using AlignLab.Models.Tokenization;
using static TorchSharp.torch;

// Not AlignLab.Engine.Tests.Rewards: that namespace would hide AlignLab.Engine.Rewards from the other test files.
namespace AlignLab.Engine.Tests;

/// <summary>
/// <see cref="TextReward"/>: the script's function sees each row's prompt without its left padding and its response cut
/// before the end token, as text, whatever the batch's padding; a non-finite reward is an error naming the response.
/// </summary>
public class TextRewardTests
{
    private static readonly ModelTokenizer Tokenizer = ModelTokenizer.Load(Path.Combine(AppContext.BaseDirectory, "Tokenization", "Fixtures", "bytelevel"));
    private const long Eos = 263;

    [Fact]
    public void Score_HandsTheFunctionTheUnpaddedPromptAndTheResponseUpToTheEndToken()
    {
        var seen = new List<(string Prompt, string Response)>();
        var reward = new TextReward("words", (x, y) =>
        {
            seen.Add((x, y));
            return y.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        }, Tokenizer, [Eos]);
        var prompts = new[] { Tokenizer.Encode("Hello"), Tokenizer.Encode("The movie was") };
        var (ids, mask) = PromptPadding.LeftPad(prompts, Eos, CPU);
        // Row 0 ends at the end token, then padding that must not be read; row 1 runs to the length limit.
        var first = Tokenizer.Encode(" big world").Select(i => (long)i).Append(Eos).Append(Eos).ToArray();
        var second = Tokenizer.Encode(" fine!").Select(i => (long)i).ToArray();
        int width = Math.Max(first.Length, second.Length);
        var responses = stack([tensor(first.Concat(Enumerable.Repeat(Eos, width - first.Length)).ToArray()), tensor(second.Concat(Enumerable.Repeat(Eos, width - second.Length)).ToArray())]);

        var scores = reward.Score(ids, responses, mask);

        Assert.Equal([("Hello", " big world"), ("The movie was", " fine!")], seen);
        Assert.Equal(ScalarType.Float64, scores.dtype);
        Assert.Equal([2.0, 1.0], scores.data<double>().ToArray());
        // The interface's two-argument form of an unpadded row gives the same.
        Assert.Equal(2.0, reward.Score(tensor(prompts[0].Select(i => (long)i).ToArray()).unsqueeze(0), responses[0].unsqueeze(0)).item<double>());
    }

    [Fact]
    public void Score_RefusesANonFiniteReward_NamingTheResponse()
    {
        var reward = new TextReward("broken", (_, _) => double.NaN, Tokenizer, [Eos]);
        var prompt = tensor(Tokenizer.Encode("Hi").Select(i => (long)i).ToArray()).unsqueeze(0);
        var response = tensor(Tokenizer.Encode(" there").Select(i => (long)i).ToArray()).unsqueeze(0);
        var e = Assert.Throws<InvalidOperationException>(() => reward.Score(prompt, response));
        Assert.Contains("reward 'broken' returned NaN for the response \" there\"", e.Message);
    }
}
