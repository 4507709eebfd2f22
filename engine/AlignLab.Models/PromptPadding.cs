using static TorchSharp.torch;

namespace AlignLab.Models;

/// <summary>Batches of token-id prompts of different lengths in the convention of <see cref="ISequencePolicy"/>.</summary>
public static class PromptPadding
{
    /// <summary>
    /// <paramref name="prompts"/> left-padded to the longest: ids int64 [B, P] with <paramref name="padId"/> before each
    /// prompt (never read: masked out), and the mask bool [B, P] (true = token), both on <paramref name="device"/>. Left,
    /// so every prompt ends in the last column, where its response starts.
    /// </summary>
    public static (Tensor Prompts, Tensor Mask) LeftPad(IReadOnlyList<IReadOnlyList<int>> prompts, long padId, Device device)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("no prompts to pad.", nameof(prompts));
        int longest = prompts.Max(p => p.Count);
        var ids = new long[prompts.Count, longest];
        var mask = new bool[prompts.Count, longest];
        for (int i = 0; i < prompts.Count; i++)
        {
            int offset = longest - prompts[i].Count;
            for (int j = 0; j < longest; j++)
            {
                ids[i, j] = j < offset ? padId : prompts[i][j - offset];
                mask[i, j] = j >= offset;
            }
        }
        return (tensor(ids, device: device), tensor(mask, device: device));
    }
}
