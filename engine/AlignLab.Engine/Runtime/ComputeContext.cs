using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Runtime;

/// <summary>
/// The one place that fixes the device, dtype, thread count and random state of a run. <see cref="Create"/> seeds
/// torch's global generator (parameter initialisation, dropout) and, on CUDA, every GPU's; <see cref="Generator"/> is a
/// separate seeded generator for sampling, and <see cref="Random"/> a seeded <see cref="System.Random"/> for
/// host-side choices (shuffling, tie-breaks). With the same options on CPU a run's samples and losses are bit-identical.
/// Product code creates every tensor with <see cref="Device"/> and <see cref="DType"/> (or on the device of a tensor
/// that came from here), moves every module with <see cref="Place{T}"/>, and seeds torch's global generators only
/// through <see cref="SeedInitialisation"/>.
/// </summary>
public sealed class ComputeContext : IDisposable
{
    private readonly int previousThreads;

    private ComputeContext(ComputeOptions options, Device device, int previousThreads)
    {
        this.previousThreads = previousThreads;
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
        int previousThreads = get_num_threads();
        if (options.Threads > 0) set_num_threads(options.Threads);
        var context = new ComputeContext(options, device, previousThreads);
        context.SeedInitialisation(options.Seed);
        return context;
    }

    /// <summary>
    /// Seeds torch's global generators (the CPU one and, on CUDA, every GPU's) with <paramref name="seed"/>: module
    /// constructors draw their initial weights from them, so a model built right after this call has weights fixed by
    /// <paramref name="seed"/> alone. The one place besides <see cref="Create"/> that touches the global random state.
    /// </summary>
    public void SeedInitialisation(long seed)
    {
        manual_seed(seed);
        if (Device.type == DeviceType.CUDA) cuda.manual_seed_all(seed);
    }

    /// <summary>Moves <paramref name="module"/>'s parameters and buffers to <see cref="Device"/> and <see cref="DType"/>; returns it.</summary>
    public T Place<T>(T module) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        module.to(Device).to(DType);
        return module;
    }

    /// <summary>A one-line description for logs and <c>alignlab info</c>, e.g. <c>cpu, Float32, 2 threads, seed 0</c>.</summary>
    public string Describe() => $"{Device}, {DType}, {get_num_threads()} threads, seed {Seed}";

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> name the same device (TorchSharp's Device compares by reference).</summary>
    internal static bool SameDevice(Device a, Device b) => a.type == b.type && a.index == b.index;

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

    /// <summary>Disposes the generator and gives torch back the thread count it had before <see cref="Create"/>.</summary>
    public void Dispose()
    {
        Generator.Dispose();
        if (Options.Threads > 0) set_num_threads(previousThreads);
    }
}
