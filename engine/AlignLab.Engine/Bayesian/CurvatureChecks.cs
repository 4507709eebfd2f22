using static TorchSharp.torch;

namespace AlignLab.Engine.Bayesian;

/// <summary>Argument checks shared by the GGN approximations.</summary>
internal static class CurvatureChecks
{
    public static void CheckPairs(IReadOnlyList<LinearBlockFactors> chosen, IReadOnlyList<LinearBlockFactors> rejected, Tensor curvature)
    {
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(rejected);
        ArgumentNullException.ThrowIfNull(curvature);
        if (chosen.Count == 0) throw new ArgumentException("chosen must hold at least one block.", nameof(chosen));
        if (rejected.Count != chosen.Count)
            throw new ArgumentException($"rejected has {rejected.Count} blocks but chosen has {chosen.Count}.", nameof(rejected));
        if (curvature.dim() != 1) throw new ArgumentException($"curvature must be [N] (got [{string.Join(", ", curvature.shape)}]).", nameof(curvature));
        for (int k = 0; k < chosen.Count; k++)
        {
            var w = chosen[k].Validate();
            var l = rejected[k].Validate();
            if (w.Inputs.shape[0] != curvature.shape[0] || l.Inputs.shape[0] != curvature.shape[0])
                throw new ArgumentException($"block {k} has {w.Inputs.shape[0]} chosen and {l.Inputs.shape[0]} rejected rows but curvature has {curvature.shape[0]} pairs.", nameof(rejected));
            if (w.Inputs.shape[2] != l.Inputs.shape[2] || w.OutputGradients.shape[2] != l.OutputGradients.shape[2])
                throw new ArgumentException($"block {k} has different widths for chosen and rejected.", nameof(rejected));
        }
    }

    public static void CheckBlocks(IReadOnlyList<LinearBlockFactors> blocks, int expected)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Count != expected) throw new ArgumentException($"blocks has {blocks.Count} entries but the curvature was fitted on {expected}.", nameof(blocks));
    }

    public static void CheckPrecision(double priorPrecision)
    {
        if (!(priorPrecision > 0) || double.IsInfinity(priorPrecision))
            throw new ArgumentException($"priorPrecision must be > 0 and finite (got {priorPrecision}).", nameof(priorPrecision));
    }
}
