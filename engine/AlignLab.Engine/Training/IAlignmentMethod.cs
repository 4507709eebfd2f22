using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Training;

/// <summary>
/// A training method as the shared loop sees it: how to build one batch from the generator (from the base, from
/// best-of-n sampling, or from a dataset) and that batch's loss. Nothing else: the optimiser, schedule, clipping,
/// logging and checkpoints belong to <see cref="Trainer"/>.
/// </summary>
public interface IAlignmentMethod
{
    /// <summary>A short name for logs and tables (e.g. "bonbon").</summary>
    string Name { get; }

    /// <summary>The module whose parameters are trained (a policy, or a reward model).</summary>
    nn.Module Module { get; }

    /// <summary>
    /// Tensors, other than <see cref="Module"/>'s parameters, that the method changes while training (e.g. J-BOND's
    /// moving anchor); saved in checkpoints and restored in place on resume. Empty for most methods.
    /// </summary>
    IReadOnlyDictionary<string, Tensor> State { get; }

    /// <summary>
    /// The method's configuration record (e.g. <c>DpoConfig</c>), saved as JSON in every checkpoint so that a resume
    /// with other settings (another β, batch size, n) is refused instead of silently mixing them; null when the method
    /// has no settings beyond its constructor's objects.
    /// </summary>
    object? Config => null;

    /// <summary>Draws one batch with <paramref name="generator"/> and returns its loss and metrics.</summary>
    MethodOutput Step(Generator generator);
}
