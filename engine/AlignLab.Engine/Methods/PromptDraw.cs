using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>Draws a batch of prompt rows uniformly with replacement from a prompt set [P, Lp] and its optional left-padding mask.</summary>
internal static class PromptDraw
{
    /// <summary>The drawn row indices [B], their prompts [B, Lp] and their mask rows [B, Lp] (null when the set has no mask).</summary>
    public static (Tensor Rows, Tensor Prompts, Tensor? PromptMask) Next(Tensor prompts, Tensor? promptMask, int batchSize, torch.Generator generator)
    {
        var rows = randint(prompts.shape[0], new long[] { batchSize }, ScalarType.Int64, prompts.device, generator: generator);
        return (rows, prompts.index_select(0, rows), promptMask?.index_select(0, rows));
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="promptMask"/> (when given) has the prompts' shape
    /// [P, Lp]: a method checks it once at construction rather than fail mid-run.
    /// </summary>
    public static void CheckMask(Tensor prompts, Tensor? promptMask)
    {
        if (promptMask is not null && !promptMask.shape.SequenceEqual(prompts.shape))
            throw new ArgumentException($"promptMask must have the prompts' shape [{string.Join(", ", prompts.shape)}] (got [{string.Join(", ", promptMask.shape)}]).", nameof(promptMask));
    }
}
