using AlignLab.Models.Tokenization;
using static TorchSharp.torch;

namespace AlignLab.Engine.Rewards;

/// <summary>
/// A programmatic reward on text, r(prompt text, response text), as an <see cref="IRewardFunction"/> of a policy's
/// tokens: each row's prompt (its left padding dropped) and response (cut before its first end token) are decoded with
/// the policy's tokenizer, special tokens left out, and handed to the function. Rewards are float64 on the prompts'
/// device. What a script gives when it has no reward-model folder (a sentiment lexicon, a length target, a checker).
/// </summary>
public sealed class TextReward : IRewardFunction
{
    private readonly Func<string, string, double> _score;
    private readonly ModelTokenizer _tokenizer;
    private readonly long[] _endTokens;

    /// <summary>
    /// Scores with <paramref name="score"/>(prompt, response), decoding with <paramref name="tokenizer"/>; responses end at
    /// the first of <paramref name="endTokens"/> (the policy's EOS ids).
    /// </summary>
    public TextReward(string name, Func<string, string, double> score, ModelTokenizer tokenizer, IReadOnlyList<long> endTokens)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _score = score ?? throw new ArgumentNullException(nameof(score));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _endTokens = [.. endTokens ?? throw new ArgumentNullException(nameof(endTokens))];
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Tensor Score(Tensor prompts, Tensor responses) => Score(prompts, responses, null);

    /// <summary>As <see cref="Score(Tensor, Tensor)"/>, with <paramref name="promptMask"/> [B, P] marking the prompts' left padding (0).</summary>
    public Tensor Score(Tensor prompts, Tensor responses, Tensor? promptMask)
    {
        if (prompts.shape[0] != responses.shape[0])
            throw new ArgumentException($"prompts has {prompts.shape[0]} rows but responses has {responses.shape[0]}; batch sizes must match.", nameof(responses));
        var p = prompts.cpu().data<long>().ToArray();
        var r = responses.cpu().data<long>().ToArray();
        var m = promptMask?.to(ScalarType.Int64).cpu().data<long>().ToArray();
        int b = (int)prompts.shape[0], pl = (int)prompts.shape[1], rl = (int)responses.shape[1];
        var rewards = new double[b];
        for (int i = 0; i < b; i++)
        {
            var prompt = new List<int>(pl);
            for (int j = 0; j < pl; j++)
                if (m is null || m[i * pl + j] != 0) prompt.Add((int)p[i * pl + j]);
            var response = new List<int>(rl);
            for (int j = 0; j < rl && !_endTokens.Contains(r[i * rl + j]); j++) response.Add((int)r[i * rl + j]);
            var promptText = _tokenizer.DecodeWithoutSpecialTokens(prompt.Where(_tokenizer.HasToken));
            // Decoded together and the prompt cut off: a SentencePiece response decoded alone would lose its leading space.
            var all = _tokenizer.DecodeWithoutSpecialTokens(prompt.Concat(response).Where(_tokenizer.HasToken));
            var responseText = all.StartsWith(promptText, StringComparison.Ordinal)
                ? all[promptText.Length..]
                : _tokenizer.DecodeWithoutSpecialTokens(response.Where(_tokenizer.HasToken));
            rewards[i] = _score(promptText, responseText);
            if (!double.IsFinite(rewards[i]))
                throw new InvalidOperationException($"reward '{Name}' returned {rewards[i]} for the response \"{responseText}\"; a reward must be a finite number.");
        }
        return tensor(rewards, ScalarType.Float64).to(prompts.device);
    }
}
