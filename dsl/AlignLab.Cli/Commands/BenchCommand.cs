using System.CommandLine;
using AlignLab.Engine.Benchmarks;
using AlignLab.Engine.Runtime;
using AlignLab.Theory;

namespace AlignLab.Cli.Commands;

/// <summary>
/// <c>alignlab bench theory|engine</c>: the project's benchmarks. Each prints its timings next to a reference measured in
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
}
