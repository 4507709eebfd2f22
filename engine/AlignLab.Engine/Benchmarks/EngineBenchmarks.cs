using System.Diagnostics;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Runtime;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Benchmarks;

/// <summary>
/// Engine benchmarks (run by <c>alignlab bench engine</c>; never timed tests). Each prints its measurements and the
/// ratio that matters, measured in the same run on the same machine, and returns them. Timings are medians of
/// repeated runs after a warm-up. Every model and tensor is on the given <see cref="ComputeContext"/>'s device and dtype,
/// and each timed call waits for that device to finish.
/// </summary>
public static class EngineBenchmarks
{
    /// <summary>The model the training and sampling benchmarks use: d_model 256, 4 heads, 4 layers, vocabulary 256, 128 positions.</summary>
    public static readonly TinyGptConfig BenchmarkModel = new(VocabSize: 256, PromptLength: 8, DModel: 256, Heads: 4, Layers: 4, MaxLength: 128);

    /// <summary>Runs every benchmark on <paramref name="context"/>, printing to <paramref name="output"/> (default: the console).</summary>
    public static IReadOnlyList<BenchmarkMeasurement> RunAll(ComputeContext context, TextWriter? output = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        output ??= Console.Out;
        output.WriteLine($"AlignLab engine benchmarks — {context.Describe()}");
        return [.. TrainingThroughput(context, output), .. KvCacheSpeedup(context, output), .. SharedPromptBestOfN(context, output)];
    }

    /// <summary>
    /// Measured dense matmul throughput, 2·m·n·k / t for a [2048, 256] × [256, 1024] float32 product (the shapes a
    /// training step of <see cref="BenchmarkModel"/> performs) in the context's dtype, in FLOP/s: the device's reachable peak.
    /// </summary>
    public static double MatmulFlops(ComputeContext context, int repeats = 20)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var a = randn([2048, 256], dtype: context.DType, device: context.Device, generator: context.Generator);
        using var b = randn([256, 1024], dtype: context.DType, device: context.Device, generator: context.Generator);
        return MatmulFlopsPerSecond(MedianSeconds(context, () => { using var c = a.matmul(b); }, repeats));
    }

    private static double MatmulFlopsPerSecond(double seconds) => 2.0 * 2048 * 256 * 1024 / seconds;

    /// <summary>
    /// Training throughput of <see cref="BenchmarkModel"/> (Adam, batch 16 × 128 tokens): tokens/s, achieved model
    /// FLOP/s with the standard count 6·N + 12·layers·d·T per token (N the matmul parameters, including the tied output
    /// layer, T the sequence length), and model-FLOPs utilisation (MFU) against <see cref="MatmulFlops"/>.
    /// </summary>
    public static IReadOnlyList<BenchmarkMeasurement> TrainingThroughput(ComputeContext context, TextWriter output, int batch = 16, int steps = 10)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SeedInitialisation(context.Seed);
        var config = BenchmarkModel;
        using var model = context.Place(new TinyGpt(config));
        using var optimizer = optim.Adam(model.parameters(), 1e-4);
        using var tokens = randint(config.VocabSize, [batch, config.MaxLength], dtype: ScalarType.Int64, device: context.Device, generator: context.Generator);
        using var prompts = tokens[TensorIndex.Colon, TensorIndex.Slice(0, config.PromptLength)].contiguous();
        using var responses = tokens[TensorIndex.Colon, TensorIndex.Slice(config.PromptLength)].contiguous();
        void Step()
        {
            using var scope = NewDisposeScope();
            var loss = -model.SequenceLogProbs(prompts, responses).mean();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        // Interleave the two measurements so that load from other processes affects both alike.
        using var a = randn([2048, 256], dtype: context.DType, device: context.Device, generator: context.Generator);
        using var b = randn([256, 1024], dtype: context.DType, device: context.Device, generator: context.Generator);
        void TenMatmuls()
        {
            for (int i = 0; i < 10; i++)
            {
                using var c = a.matmul(b);
            }
        }
        var (seconds, matmulSeconds) = InterleavedMedians(context, Step, TenMatmuls, steps);
        double peak = MatmulFlopsPerSecond(matmulSeconds / 10);
        long positionParams = (long)config.MaxLength * config.DModel;
        long matmulParams = model.ParameterCount - positionParams;
        double flopsPerToken = 6.0 * matmulParams + 12.0 * config.Layers * config.DModel * config.MaxLength;
        double tokensPerSecond = batch * config.MaxLength / seconds;
        double achieved = tokensPerSecond * flopsPerToken;
        var results = new[]
        {
            new BenchmarkMeasurement("training step (d_model 256, 16 x 128 tokens)", seconds * 1e3, "ms"),
            new BenchmarkMeasurement("training throughput", tokensPerSecond, "tokens/s"),
            new BenchmarkMeasurement("training model FLOP/s", achieved / 1e9, "GFLOP/s"),
            new BenchmarkMeasurement("matmul FLOP/s (2048x256 @ 256x1024)", peak / 1e9, "GFLOP/s"),
            new BenchmarkMeasurement("MFU (training / matmul)", 100 * achieved / peak, "%"),
        };
        BenchmarkMeasurement.PrintSection(output, "Training throughput", results);
        return results;
    }

    /// <summary>
    /// Sampling speed of <see cref="BenchmarkModel"/> generating 64 tokens after an 8-token prompt for 16 rows, with
    /// the KV cache against re-running the whole sequence each step: tokens/s each and their ratio.
    /// </summary>
    public static IReadOnlyList<BenchmarkMeasurement> KvCacheSpeedup(ComputeContext context, TextWriter output, int rows = 16, int newTokens = 64)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SeedInitialisation(context.Seed);
        using var model = context.Place(new TinyGpt(BenchmarkModel));
        model.eval();
        var g = context.Generator;
        using var prompts = randint(BenchmarkModel.VocabSize, [rows, BenchmarkModel.PromptLength], dtype: ScalarType.Int64, device: context.Device, generator: g);
        double Time(bool cache) => MedianSeconds(context, () =>
        {
            using var batch = model.Sample(prompts, 1, new SamplingOptions(newTokens, UseKvCache: cache), g);
        }, 3);
        double cached = Time(true), uncached = Time(false);
        var results = new[]
        {
            new BenchmarkMeasurement($"sampling with KV cache ({rows} x {newTokens} tokens)", rows * newTokens / cached, "tokens/s"),
            new BenchmarkMeasurement("sampling without KV cache", rows * newTokens / uncached, "tokens/s"),
            new BenchmarkMeasurement("KV cache speed-up", uncached / cached, "x"),
        };
        BenchmarkMeasurement.PrintSection(output, "KV-cache decoding", results);
        return results;
    }

    /// <summary>
    /// Best-of-n sampling for n = 16 with a 64-token prompt and 16-token responses for 4 prompts: one call that encodes
    /// each prompt once and shares its KV cache across the 16 continuations, against 16 separate samplings of one
    /// response per prompt, and against one batched call that encodes the prompt 16 times. Seconds each and ratios.
    /// </summary>
    public static IReadOnlyList<BenchmarkMeasurement> SharedPromptBestOfN(ComputeContext context, TextWriter output, int prompts = 4, int n = 16)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SeedInitialisation(context.Seed);
        var config = BenchmarkModel with { PromptLength = 64, MaxLength = 80 };
        using var model = context.Place(new TinyGpt(config));
        model.eval();
        var g = context.Generator;
        using var x = randint(config.VocabSize, [prompts, config.PromptLength], dtype: ScalarType.Int64, device: context.Device, generator: g);
        var options = new SamplingOptions(16);
        double shared = MedianSeconds(context, () => { using var b = model.Sample(x, n, options, g); }, 3);
        double separate = MedianSeconds(context, () =>
        {
            for (int i = 0; i < n; i++)
            {
                using var b = model.Sample(x, 1, options, g);
            }
        }, 3);
        double unshared = MedianSeconds(context, () => { using var b = model.Sample(x, n, options with { SharePromptCache = false }, g); }, 3);
        var results = new[]
        {
            new BenchmarkMeasurement($"BoN n={n}, shared prompt cache ({prompts} prompts x 64 + 16 tokens)", shared * 1e3, "ms"),
            new BenchmarkMeasurement($"BoN n={n}, {n} separate samplings", separate * 1e3, "ms"),
            new BenchmarkMeasurement($"BoN n={n}, one batch, prompt encoded {n} times", unshared * 1e3, "ms"),
            new BenchmarkMeasurement("speed-up vs separate samplings", separate / shared, "x"),
            new BenchmarkMeasurement("speed-up vs prompt encoded n times", unshared / shared, "x"),
        };
        BenchmarkMeasurement.PrintSection(output, "Best-of-n with a shared prompt cache", results);
        return results;
    }

    /// <summary>
    /// Median wall-clock seconds of <paramref name="repeats"/> runs of <paramref name="action"/> after one warm-up run,
    /// each waited for on <paramref name="context"/>'s device.
    /// </summary>
    internal static double MedianSeconds(ComputeContext context, Action action, int repeats)
    {
        action(); // warm-up: allocator pools, lazy initialisation
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            Finished(context, action);
            times[i] = watch.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    private static (double A, double B) InterleavedMedians(ComputeContext context, Action a, Action b, int repeats)
    {
        a();
        b();
        var ta = new double[repeats];
        var tb = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            Finished(context, a);
            ta[i] = watch.Elapsed.TotalSeconds;
            watch.Restart();
            Finished(context, b);
            tb[i] = watch.Elapsed.TotalSeconds;
        }
        Array.Sort(ta);
        Array.Sort(tb);
        return (ta[repeats / 2], tb[repeats / 2]);
    }

    // CUDA kernels run asynchronously: a timing must wait for the device, or it measures only the launches.
    private static void Finished(ComputeContext context, Action action)
    {
        action();
        if (context.Device.type == DeviceType.CUDA) cuda.synchronize(context.Device);
    }
}
