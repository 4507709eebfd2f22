using static TorchSharp.torch;

namespace AlignLab.Engine.Training;

/// <summary>
/// What one <see cref="IAlignmentMethod.Step"/> returns: the scalar loss to minimise (with gradient) and named scalar
/// metrics (0-dimensional tensors, detached, still on the device: the trainer reads them only at logging steps).
/// </summary>
public sealed record MethodOutput(Tensor Loss, IReadOnlyDictionary<string, Tensor> Metrics);
