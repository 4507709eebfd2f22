using static TorchSharp.torch;

namespace AlignLab.Engine.Rewards;

/// <summary>Checks on prompt masks [B, P] (true or 1 = real token, 0 = left padding) for rewards that cannot read them.</summary>
public static class PromptMasks
{
    /// <summary>Whether <paramref name="promptMask"/> pads nothing: null, or every entry real.</summary>
    public static bool PadsNothing(Tensor? promptMask)
    {
        if (promptMask is null) return true;
        using var real = promptMask.ne(0);
        using var all = real.all();
        return all.item<bool>();
    }

    /// <summary>
    /// Throws <see cref="NotSupportedException"/> naming reward <paramref name="rewardName"/> when
    /// <paramref name="promptMask"/> pads some prompt: a reward without a mask would read the padding as prompt text.
    /// </summary>
    public static void ThrowIfPadded(Tensor? promptMask, string rewardName)
    {
        if (!PadsNothing(promptMask))
            throw new NotSupportedException(
                $"reward '{rewardName}' cannot score left-padded prompts: it reads prompts without a mask. Give it the mask "
                + "(implement Score(prompts, responses, promptMask), or build a FunctionReward that takes one or reads only responses), or use prompts of equal length.");
    }

    /// <summary>A (prompts, responses, promptMask) scorer that calls <paramref name="score"/>(prompts, responses), the mask unread.</summary>
    internal static Func<Tensor, Tensor, Tensor?, Tensor> IgnoringMask(Func<Tensor, Tensor, Tensor> score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return (x, y, _) => score(x, y);
    }
}
