using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Runtime;

/// <summary>
/// The one place that fixes the device, dtype, thread count and random state of a run. <see cref="Create"/> seeds
/// torch's global generator (parameter initialisation, dropout) and, on CUDA, every GPU's; <see cref="Generator"/> is a
/// separate seeded generator for sampling, and <see cref="Random"/> a seeded <see cref="System.Random"/> for
/// host-side choices (shuffling, tie-breaks). With the same options on CPU a run's samples and losses are bit-identical.
/// </summary>
public sealed class ComputeContext : IDisposable
{
    private ComputeContext(ComputeOptions options, Device device)
    {
        Options = options;
        Device = device;
        Generator = new Generator((ulong)options.Seed, device);
        Random = new Random(unchecked((int)options.Seed));
    }

    /// <summary>The options this context was created from.</summary>
    public ComputeOptions Options { get; }

    /// <summary>The device every model and tensor of the run lives on.</summary>
    public Device Device { get; }

    /// <summary>The floating-point dtype of parameters and activations.</summary>
    public ScalarType DType => Options.DType;

    /// <summary>The run's seed.</summary>
    public long Seed => Options.Seed;

    /// <summary>The generator for sampling (responses, minibatches drawn on the device).</summary>
    public Generator Generator { get; }

    /// <summary>The seeded host-side random source.</summary>
    public Random Random { get; }

    /// <summary>
    /// Picks the device, sets the thread count and seeds every random source from <paramref name="options"/>
    /// (default: <see cref="ComputeOptions"/>'s defaults). An unknown or unavailable device throws ArgumentException.
    /// </summary>
    public static ComputeContext Create(ComputeOptions? options = null)
    {
        options ??= new ComputeOptions();
        if (options.Threads < 0) throw new ArgumentException($"Threads must be >= 0 (got {options.Threads}).", nameof(options));
        if (!is_floating_point(empty(0, options.DType)))
            throw new ArgumentException($"DType must be a floating-point type (got {options.DType}).", nameof(options));
        var device = ResolveDevice(options.Device);
        if (options.Threads > 0) set_num_threads(options.Threads);
        manual_seed(options.Seed);
        if (device.type == DeviceType.CUDA) cuda.manual_seed_all(options.Seed);
        return new ComputeContext(options, device);
    }

    /// <summary>Creates a fresh sampling generator on this context's device, seeded with <paramref name="seed"/>.</summary>
    public Generator NewGenerator(long seed) => new((ulong)seed, Device);

    /// <summary>"cuda" when a CUDA device is available, else "cpu"; or the named device, checked for availability.</summary>
    public static Device ResolveDevice(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return cuda.is_available() ? CUDA : CPU;
        Device device;
        try
        {
            device = new Device(name);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new ArgumentException($"Unknown device '{name}' (use cpu, cuda or cuda:N).", nameof(name), e);
        }
        if (device.type == DeviceType.CUDA && !cuda.is_available())
            throw new ArgumentException($"Device '{name}' was requested but CUDA is not available on this machine.", nameof(name));
        return device;
    }

    /// <inheritdoc />
    public void Dispose() => Generator.Dispose();
}
