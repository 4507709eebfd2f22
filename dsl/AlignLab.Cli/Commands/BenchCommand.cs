using System.CommandLine;
using AlignLab.Engine.Benchmarks;
using AlignLab.Engine.Runtime;
using AlignLab.Theory;

namespace AlignLab.Cli.Commands;

/// <summary>
/// <c>alignlab bench theory|engine|model</c>: the project's benchmarks. Each prints its timings next to a reference measured in
/// the same run (a plain pass over the same arrays; a plain matmul; uncached decoding; separate sampling) and the
/// ratio, which is the figure of merit. Benchmarks are never run as timed tests; docs/benchmarks.md records results.
/// </summary>
public static class BenchCommand
{
    /// <summary>Creates the <c>bench</c> command group.</summary>
    public static Command Create()
    {
        var bench = new Command("bench", "Run a benchmark and print its figures with same-run ratios.");
        bench.Subcommands.Add(CreateTheory());
        bench.Subcommands.Add(CreateEngine());
        bench.Subcommands.Add(CreateModel());
        return bench;
    }

    private static Command CreateTheory()
    {
        var outcomes = new Option<int>("--outcomes") { Description = "Number of outcomes K of the benchmark distribution.", DefaultValueFactory = _ => 1_000_000 };
        var points = new Option<int>("--points") { Description = "Number of best-of-n frontier points.", DefaultValueFactory = _ => 100 };
        var command = new Command("theory", "Time a best-of-n frontier on a K-outcome distribution against one plain pass over the same arrays.")
        {
            outcomes, points,
        };
        command.SetAction(parseResult =>
        {
            var k = parseResult.GetValue(outcomes);
            var p = parseResult.GetValue(points);
            if (k < 2 || p < 1)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"alignlab bench theory: --outcomes must be >= 2 and --points >= 1 (got {k} and {p}).");
                return ExitCodes.Failure;
            }
            FrontierBenchmark.Run(k, p, parseResult.InvocationConfiguration.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateEngine()
    {
        var seed = new Option<long>("--seed") { Description = "Seed of the random weights and inputs.", DefaultValueFactory = _ => 0 };
        var device = new Option<string?>("--device") { Description = "Device to run on: cpu, cuda or cuda:N (default: cuda when available, else cpu)." };
        var threads = new Option<int>("--threads") { Description = "CPU threads torch uses (default 0: torch's own choice).", DefaultValueFactory = _ => 0 };
        var command = new Command("engine", "Time TinyGpt training (tokens/s, MFU against a measured matmul), KV-cache decoding and shared-prompt best-of-n.")
        {
            seed, device, threads,
        };
        command.SetAction(parseResult =>
        {
            ComputeContext context;
            try
            {
                context = ComputeContext.Create(new ComputeOptions(parseResult.GetValue(seed), parseResult.GetValue(device), Threads: parseResult.GetValue(threads)));
            }
            catch (ArgumentException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"alignlab bench engine: {UserMessages.Of(e)}");
                return ExitCodes.Failure;
            }
            using (context) EngineBenchmarks.RunAll(context, parseResult.InvocationConfiguration.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Tiny shapes for <c>--smoke</c>: the code paths of the full benchmark in seconds (figures meaningless).</summary>
    internal static readonly ModelBenchmarkShape SmokeShape = new(VocabSize: 64, HiddenSize: 32, Layers: 2, Heads: 2, MaxPositions: 64,
        ScoreBatch: 2, SequenceLength: 8, Prompts: 2, SamplesPerPrompt: 3, PromptLength: 4, NewTokens: 4, TrainBatch: 2, LoraRank: 2, Repeats: 1);

    private static Command CreateModel()
    {
        var seed = new Option<long>("--seed") { Description = "Seed of the random weights and inputs.", DefaultValueFactory = _ => 0 };
        var peer = new Option<bool>("--peer") { Description = "Also run the PyTorch-eager peer (bench/peers/model_peer.py) on the same shapes and print AlignLab / PyTorch ratios." };
        var python = new Option<string>("--python") { Description = "Python with torch for --peer.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var script = new Option<string?>("--peer-script") { Description = "Path of model_peer.py (default: bench/peers/model_peer.py above the current folder)." };
        var smoke = new Option<bool>("--smoke") { Description = "Tiny shapes: checks that the benchmark (and peer) run; the figures mean nothing." };
        var device = new Option<string?>("--device") { Description = "Device to run on: cpu, cuda or cuda:N (default: cuda when available, else cpu; the peer runs on the CPU)." };
        var threads = new Option<int>("--threads") { Description = "CPU threads torch uses (default 0: torch's own choice).", DefaultValueFactory = _ => 0 };
        var command = new Command("model", "Time a GPT-2-small-shaped model (124M, random weights): prompt scoring, generation (8 prompts x 16 samples x 64 tokens, shared prompt cache), a full and a LoRA training step, and the peak memory of loading a BF16 folder.")
        {
            seed, peer, python, script, smoke, device, threads,
        };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var shape = parseResult.GetValue(smoke) ? SmokeShape : new ModelBenchmarkShape();
            string? peerScript = null;
            if (parseResult.GetValue(peer))
            {
                peerScript = parseResult.GetValue(script) ?? FindPeerScript();
                if (peerScript is null || !File.Exists(peerScript))
                {
                    error.WriteLine($"alignlab bench model: the peer script {(peerScript is null ? "bench/peers/model_peer.py was not found above the current folder" : $"'{peerScript}' does not exist")}; pass --peer-script.");
                    return ExitCodes.Failure;
                }
            }
            ComputeContext context;
            try
            {
                context = ComputeContext.Create(new ComputeOptions(parseResult.GetValue(seed), parseResult.GetValue(device), Threads: parseResult.GetValue(threads)));
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"alignlab bench model: {UserMessages.Of(e)}");
                return ExitCodes.Failure;
            }
            IReadOnlyList<BenchmarkMeasurement> ours;
            using (context) ours = ModelBenchmarks.Run(shape, context, output);
            if (peerScript is null) return ExitCodes.Success;
            output.WriteLine();
            output.WriteLine($"PyTorch eager peer ({peerScript}, same shapes, seed and threads)");
            IReadOnlyList<BenchmarkMeasurement> theirs;
            try
            {
                theirs = ModelBenchmarks.RunPeer(parseResult.GetValue(python)!, peerScript, shape, parseResult.GetValue(seed), output);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or System.Text.Json.JsonException)
            {
                error.WriteLine($"alignlab bench model: {e.Message}");
                return ExitCodes.Failure;
            }
            BenchmarkMeasurement.PrintSection(output, "PyTorch eager figures", theirs);
            BenchmarkMeasurement.PrintSection(output, "Ratios (AlignLab / PyTorch; tokens/s: higher is better, memory and time: lower is better)", ModelBenchmarks.Ratios(ours, theirs));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string? FindPeerScript()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "peers", "model_peer.py");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
