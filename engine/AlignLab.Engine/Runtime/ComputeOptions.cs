using static TorchSharp.torch;

namespace AlignLab.Engine.Runtime;

/// <summary>
/// Where and how tensors are computed. <see cref="Seed"/> (default 0) seeds every random source;
/// <see cref="Device"/> is "cpu", "cuda", "cuda:1", … or null (default) for "cuda when available, else cpu";
/// <see cref="DType"/> is the floating-point type of parameters and activations (default float32);
/// <see cref="Threads"/> is the number of CPU threads torch uses (0, the default, keeps torch's own choice).
/// </summary>
public sealed record ComputeOptions(long Seed = 0, string? Device = null, ScalarType DType = ScalarType.Float32, int Threads = 0);
