using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>Draws a batch of prompt rows uniformly with replacement from a prompt set [P, Lp].</summary>
internal static class PromptDraw
{
    public static (Tensor Rows, Tensor Prompts) Next(Tensor prompts, int batchSize, torch.Generator generator)
    {
        var rows = randint(prompts.shape[0], new long[] { batchSize }, ScalarType.Int64, prompts.device, generator: generator);
        return (rows, prompts.index_select(0, rows));
    }
}
