using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using AlignLab.Engine.Runtime;
using AlignLab.Models;
using AlignLab.Models.Families;
using AlignLab.Models.Generation;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Benchmarks;

/// <summary>
/// Real-model benchmarks (run by <c>alignlab bench model</c>; never timed tests) on a GPT-2-small-shaped
/// <see cref="Gpt2LmHeadModel"/> with random weights built in memory (<see cref="ModelBenchmarkShape"/>): prompt
/// scoring, generation with a shared prompt cache, one Adam training step (full and LoRA), and the peak memory of
/// loading the model from a BF16 Hugging Face folder (and the time to inspect that folder's headers without loading
/// it). <see cref="RunPeer"/> runs the PyTorch-eager script <c>bench/peers/model_peer.py</c> on the same shapes, and
/// <see cref="Ratios"/> divides the two runs' figures. Each measurement's name is also the peer's JSON key.
/// </summary>
public static class ModelBenchmarks
{
    /// <summary>Name of the loading-memory measurement: peak RSS growth while loading ÷ the float32 model's bytes.</summary>
    public const string LoadPeak = "load BF16 folder: peak RSS growth / float32 model";

    /// <summary>Name of the loading-time measurement.</summary>
    public const string LoadTime = "load BF16 folder: time";

    /// <summary>Name of the time to read the folder's config and safetensors headers (<see cref="HuggingFaceFolder.Inspect"/>, what <c>alignlab model info</c> reads).</summary>
    public const string InspectTime = "inspect BF16 folder (headers only): time";

    /// <summary>Name of the scoring throughput.</summary>
    public const string Scoring = "prompt scoring (log-probs, no grad)";

    /// <summary>Name of the generation throughput.</summary>
    public const string Generation = "generation (shared prompt cache)";

    /// <summary>
    /// Name of the generation memory figure: peak RSS growth over the warm-up and timed generation runs ÷ the KV cache's
    /// bytes (<see cref="KvCacheBytes"/>).
    /// </summary>
    public const string GenerationPeak = "generation: peak RSS growth / KV cache";

    /// <summary>Name of the full training-step throughput.</summary>
    public const string TrainFull = "training step, full (Adam)";

    /// <summary>Name of the LoRA training-step throughput.</summary>
    public const string TrainLora = "training step, LoRA on c_attn (Adam)";

    /// <summary>The GPT-2 configuration of <paramref name="shape"/> (no end token, so every sample has its full length).</summary>
    public static TransformerConfig Gpt2Config(ModelBenchmarkShape shape) =>
        new("gpt2", shape.VocabSize, shape.HiddenSize, shape.Layers, shape.Heads, 4 * shape.HiddenSize, shape.MaxPositions);

    /// <summary>
    /// Runs every benchmark on <paramref name="shape"/> on <paramref name="context"/>'s device and dtype, seeded with its
    /// seed, printing each section as it finishes; returns the measurements.
    /// </summary>
    public static IReadOnlyList<BenchmarkMeasurement> Run(ModelBenchmarkShape shape, ComputeContext context, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(context);
        shape.Validate();
        var config = Gpt2Config(shape);
        long seed = context.Seed;
        output.WriteLine($"AlignLab model benchmarks: GPT-2 shape (vocabulary {shape.VocabSize}, width {shape.HiddenSize}, {shape.Layers} layers, {shape.Heads} heads) on {context.Describe()}");
        // Loading first: the process has not yet grown its heap, so the peak measures the loader alone.
        var results = new List<BenchmarkMeasurement>();
        results.AddRange(BenchmarkMeasurement.PrintSection(output, "Loading", LoadBf16Folder(config, seed)));
        context.SeedInitialisation(seed);
        using var model = context.Place(new Gpt2LmHeadModel(config));
        model.eval();
        output.WriteLine();
        output.WriteLine($"Inference ({model.ParameterCount:N0} parameters)");
        results.Add(BenchmarkMeasurement.PrintSection(output, null, [ScoringThroughput(model, shape, context)])[0]);
        results.AddRange(BenchmarkMeasurement.PrintSection(output, null, GenerationThroughput(model, shape, context)));
        model.train();
        results.Add(BenchmarkMeasurement.PrintSection(output, "Training", [TrainingThroughput(model, shape, context, lora: false)])[0]);
        context.SeedInitialisation(seed);
        LoraAdapters.Apply(model, new LoraConfig(Rank: shape.LoraRank, Alpha: 2 * shape.LoraRank, TargetModules: ["c_attn"]));
        results.Add(BenchmarkMeasurement.PrintSection(output, null, [TrainingThroughput(model, shape, context, lora: true)])[0]);
        return results;
    }

    /// <summary>
    /// Tokens/s of <see cref="CausalLm.TokenLogProbs"/> without gradient on <see cref="ModelBenchmarkShape.ScoreBatch"/>
    /// random sequences of <see cref="ModelBenchmarkShape.SequenceLength"/> tokens (first half prompt, second half response).
    /// </summary>
    public static BenchmarkMeasurement ScoringThroughput(CausalLm model, ModelBenchmarkShape shape, ComputeContext context)
    {
        var (prompts, responses) = RandomBatch(shape, shape.ScoreBatch, context.Seed, context.Device);
        using (prompts)
        using (responses)
        {
            double seconds = EngineBenchmarks.MedianSeconds(context, () =>
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                model.TokenLogProbs(prompts, responses);
            }, shape.Repeats);
            return new BenchmarkMeasurement(Scoring, shape.ScoreBatch * shape.SequenceLength / seconds, "tokens/s");
        }
    }

    /// <summary>
    /// New tokens/s of <see cref="CausalLm.Sample"/>: <see cref="ModelBenchmarkShape.SamplesPerPrompt"/> samples of
    /// <see cref="ModelBenchmarkShape.NewTokens"/> tokens for each of <see cref="ModelBenchmarkShape.Prompts"/> random
    /// prompts, each prompt encoded once and its KV cache shared by its samples; then (Linux only) the growth of the
    /// process's peak resident memory over the warm-up and timed runs ÷ <see cref="KvCacheBytes"/>, which shows how much
    /// the allocator keeps beyond the cache (docs/benchmarks.md: glibc's dynamic mmap threshold).
    /// </summary>
    public static IReadOnlyList<BenchmarkMeasurement> GenerationThroughput(CausalLm model, ModelBenchmarkShape shape, ComputeContext context)
    {
        using var g = new Generator((ulong)context.Seed, context.Device);
        using var prompts = randint(shape.VocabSize, [shape.Prompts, shape.PromptLength], generator: g, dtype: ScalarType.Int64, device: context.Device);
        var options = new SamplingOptions(shape.NewTokens);
        ReleaseFreedMemory();
        long before = ResetPeakResident();
        double seconds = EngineBenchmarks.MedianSeconds(context, () =>
        {
            using var batch = model.Sample(prompts, shape.SamplesPerPrompt, options, g);
        }, shape.Repeats);
        long peak = PeakResident();
        var results = new List<BenchmarkMeasurement>
        {
            new(Generation, (double)shape.Prompts * shape.SamplesPerPrompt * shape.NewTokens / seconds, "tokens/s"),
        };
        // The RSS figure only means host memory on the CPU.
        if (before >= 0 && peak >= 0 && context.Device.type == DeviceType.CPU)
            results.Add(new BenchmarkMeasurement(GenerationPeak, (double)(peak - before) / KvCacheBytes(model, shape), "x"));
        return results;
    }

    /// <summary>
    /// Bytes of the KV cache that generation on <paramref name="shape"/> fills: layers × 2 (keys, values) ×
    /// prompts·samples rows × key/value heads × (prompt + new tokens) positions × head size × element size.
    /// </summary>
    public static long KvCacheBytes(CausalLm model, ModelBenchmarkShape shape)
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = model.ModelConfig;
        long elementSize = model.parameters().First().ElementSize;
        return (long)c.Layers * 2 * shape.Prompts * shape.SamplesPerPrompt * c.KeyValueHeads * (shape.PromptLength + shape.NewTokens) * c.HeadDim * elementSize;
    }

    /// <summary>
    /// Tokens/s of one Adam step (forward, backward, update) on <see cref="ModelBenchmarkShape.TrainBatch"/> random
    /// sequences of <see cref="ModelBenchmarkShape.SequenceLength"/> tokens, loss −mean log π(response | prompt); with
    /// <paramref name="lora"/> only the model's adapter parameters are optimised (the model must have them).
    /// </summary>
    public static BenchmarkMeasurement TrainingThroughput(CausalLm model, ModelBenchmarkShape shape, ComputeContext context, bool lora)
    {
        var parameters = lora ? LoraAdapters.AdapterParameters(model) : model.parameters().ToArray();
        if (lora && parameters.Count == 0) throw new ArgumentException("The model has no LoRA adapters.", nameof(model));
        using var optimizer = optim.Adam(parameters, 1e-5);
        var (prompts, responses) = RandomBatch(shape, shape.TrainBatch, context.Seed + 1, context.Device);
        using (prompts)
        using (responses)
        {
            double seconds = EngineBenchmarks.MedianSeconds(context, () =>
            {
                using var scope = NewDisposeScope();
                var loss = -model.SequenceLogProbs(prompts, responses).mean();
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }, shape.Repeats);
            return new BenchmarkMeasurement(lora ? TrainLora : TrainFull, shape.TrainBatch * shape.SequenceLength / seconds, "tokens/s");
        }
    }

    /// <summary>
    /// Writes a random model of <paramref name="config"/> to a temporary BF16 folder, then loads it with
    /// <see cref="HuggingFaceFolder.Load"/> and reports the growth of the process's peak resident memory during the load
    /// divided by the float32 model's size (1.0 would be the model alone; the loader's budget is 1.5), and the load time;
    /// then the time of <see cref="HuggingFaceFolder.Inspect"/> on the same folder (config.json and headers only).
    /// The memory figure is Linux only (it reads <c>/proc/self/status</c>); elsewhere only the times are reported.
    /// </summary>
    public static IReadOnlyList<BenchmarkMeasurement> LoadBf16Folder(TransformerConfig config, long seed)
    {
        var folder = Directory.CreateTempSubdirectory("alignlab-bench-model-").FullName;
        try
        {
            long parameterBytes;
            manual_seed(seed);
            using (var source = HuggingFaceFolder.Create(config))
            {
                HuggingFaceFolder.Save(source, folder, ScalarType.BFloat16);
                parameterBytes = source.ParameterCount * sizeof(float);
            }
            ReleaseFreedMemory();
            long before = ResetPeakResident();
            var watch = Stopwatch.StartNew();
            using var loaded = HuggingFaceFolder.Load(folder);
            double seconds = watch.Elapsed.TotalSeconds;
            long peak = PeakResident();
            var results = new List<BenchmarkMeasurement>();
            if (before >= 0 && peak >= 0) results.Add(new BenchmarkMeasurement(LoadPeak, (double)(peak - before) / parameterBytes, "x"));
            results.Add(new BenchmarkMeasurement(LoadTime, seconds, "s"));
            watch.Restart();
            var inspected = HuggingFaceFolder.Inspect(folder);
            results.Add(new BenchmarkMeasurement(InspectTime, watch.Elapsed.TotalSeconds, "s"));
            if (inspected.Parameters != loaded.ParameterCount)
                throw new InvalidOperationException($"Inspect counted {inspected.Parameters} parameters but the loaded model has {loaded.ParameterCount}.");
            return results;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Runs the PyTorch peer <paramref name="script"/> with <paramref name="python"/> on the same shapes, seed and torch
    /// thread count, and returns its measurements (the JSON object it prints last). Throws
    /// <see cref="InvalidOperationException"/> with the peer's error output when it fails.
    /// </summary>
    public static IReadOnlyList<BenchmarkMeasurement> RunPeer(string python, string script, ModelBenchmarkShape shape, long seed, TextWriter? progress = null)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var a in shape.Validate().PeerArguments()) start.ArgumentList.Add(a);
        start.ArgumentList.Add("--seed");
        start.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--threads");
        start.ArgumentList.Add(get_num_threads().ToString(CultureInfo.InvariantCulture));
        start.Environment["OMP_WAIT_POLICY"] = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "passive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start '{python}'.");
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (errors) errors.Add(e.Data);
            progress?.WriteLine("  [peer] " + e.Data);
        };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"the PyTorch peer '{script}' failed (exit code {process.ExitCode}): {string.Join(" | ", errors.TakeLast(5))}");
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"the PyTorch peer '{script}' printed nothing.");
        var values = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(last)
            ?? throw new InvalidOperationException($"the PyTorch peer '{script}' printed no JSON object.");
        return values.Where(kv => kv.Value.ValueKind == JsonValueKind.Object)
            .Select(kv => new BenchmarkMeasurement(kv.Key, kv.Value.GetProperty("value").GetDouble(), kv.Value.GetProperty("unit").GetString() ?? ""))
            .ToArray();
    }

    /// <summary>
    /// AlignLab ÷ peer for every measurement both runs have, as "x" measurements named "<c>name</c>, AlignLab / PyTorch".
    /// Above 1 is better for tokens/s; below 1 is better for memory and time.
    /// </summary>
    public static IReadOnlyList<BenchmarkMeasurement> Ratios(IReadOnlyList<BenchmarkMeasurement> ours, IReadOnlyList<BenchmarkMeasurement> peer)
    {
        var byName = peer.ToDictionary(p => p.Name);
        return ours.Where(o => byName.ContainsKey(o.Name))
            .Select(o => new BenchmarkMeasurement($"{o.Name}, AlignLab / PyTorch", o.Value / byName[o.Name].Value, "x"))
            .ToArray();
    }

    private static (Tensor Prompts, Tensor Responses) RandomBatch(ModelBenchmarkShape shape, int batch, long seed, Device device)
    {
        using var g = new Generator((ulong)seed, device);
        using var tokens = randint(shape.VocabSize, [batch, shape.SequenceLength], generator: g, dtype: ScalarType.Int64, device: device);
        int half = shape.SequenceLength / 2;
        return (tokens[TensorIndex.Colon, TensorIndex.Slice(0, half)].contiguous(), tokens[TensorIndex.Colon, TensorIndex.Slice(half)].contiguous());
    }

    // Resident memory from /proc/self/status in bytes (-1 off Linux). Writing 5 to clear_refs resets VmHWM (the peak)
    // to the current resident size, so the peak afterwards is the peak of what follows.
    private static long ResetPeakResident()
    {
        if (!OperatingSystem.IsLinux()) return -1;
        File.WriteAllText("/proc/self/clear_refs", "5");
        return StatusBytes("VmRSS:");
    }

    private static long PeakResident() => OperatingSystem.IsLinux() ? StatusBytes("VmHWM:") : -1;

    private static long StatusBytes(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    // Returns freed memory (the writer model before loading, earlier work before generation) to the OS, so the peak
    // measured next counts what that step needs rather than reusing memory the process already holds.
    private static void ReleaseFreedMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (OperatingSystem.IsLinux()) malloc_trim(0);
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);
}
