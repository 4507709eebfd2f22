using System.CommandLine;
using AlignLab.Dsl.Results;
using AlignLab.Theory;

namespace AlignLab.Cli.Commands;

/// <summary>
/// <c>alignlab theory eval|frontier|continuous</c>: the exact theory module (THEORY.md §1–3) on a JSON case file, the
/// project's stable contract for other tools (issue 3, item 6; shapes in docs/theory.md). Invalid input (bad JSON, an
/// invalid distribution, a parameter out of range) prints one message on stderr and exits with <see cref="InvalidInput"/>.
/// </summary>
public static class TheoryCommand
{
    /// <summary>The exit code for invalid input: <see cref="ExitCodes.InvalidInput"/> (2).</summary>
    public const int InvalidInput = ExitCodes.InvalidInput;

    private static readonly IReadOnlyDictionary<string, FrontierFamily> Families = new Dictionary<string, FrontierFamily>
    {
        ["bon"] = FrontierFamily.BestOfN,
        ["optimal"] = FrontierFamily.Optimal,
        ["rlhf"] = FrontierFamily.Rlhf,
    };

    /// <summary>Creates the <c>theory</c> command group.</summary>
    public static Command Create()
    {
        var command = new Command("theory", "Exact best-of-n theory on a finite distribution given as JSON: policies, frontiers, continuous-case values.");
        command.Subcommands.Add(CreateEval());
        command.Subcommands.Add(CreateFrontier());
        command.Subcommands.Add(CreateContinuous());
        return command;
    }

    private static Command CreateEval()
    {
        var input = InputOption();
        var output = new Option<string>("--output") { HelpName = "out.json", Description = "Write the result here (atomically) instead of to stdout." };
        var command = new Command("eval", "Evaluate the case file's policies: probabilities, win rate, KL both ways, expected reward.") { input, output };
        command.SetAction(parseResult => Guarded(parseResult, "eval", stdout =>
        {
            string path = parseResult.GetValue(input)!;
            string? outputPath = parseResult.GetValue(output);
            if (outputPath is not null) CheckWritable(outputPath);
            var theoryCase = ReadCase(path);
            var distribution = Distribution(theoryCase, path);
            var policies = new List<(TheoryPolicySpec, DiscretePolicy)>();
            for (int i = 0; i < theoryCase.Policies.Count; i++)
                policies.Add((theoryCase.Policies[i], Build(distribution, theoryCase.Policies[i], $"{path}: policies[{i}]")));
            string json = TheoryJson.WriteEval(policies);
            if (outputPath is not null) WriteAtomically(outputPath, json);
            else stdout.WriteLine(json);
        }));
        return command;
    }

    private static Command CreateFrontier()
    {
        var input = InputOption();
        var family = new Option<string>("--family") { Required = true, Description = "The family: bon (over n), optimal (over c) or rlhf (over beta)." };
        family.AcceptOnlyFromAmong("bon", "optimal", "rlhf");
        var points = new Option<int>("--points") { Required = true, HelpName = "N", Description = "The number of points, at KL targets max-kl·j/N, j = 1..N." };
        var maxKl = new Option<double?>("--max-kl") { HelpName = "K", Description = "The largest KL (default: 0.9 × −log q_top, q_top the mass of the highest reward)." };
        var csv = new Option<bool>("--csv") { Description = "Print CSV (family,parameter,kl,winRate,expectedReward) instead of JSON." };
        var command = new Command("frontier", "Print a family's exact (KL, win rate, expected reward) frontier over a KL range.") { input, family, points, maxKl, csv };
        command.SetAction(parseResult => Guarded(parseResult, "frontier", stdout =>
        {
            string path = parseResult.GetValue(input)!;
            var distribution = Distribution(ReadCase(path), path);
            string familyName = parseResult.GetValue(family)!;
            int count = parseResult.GetValue(points);
            if (count < 1) throw new TheoryInputException($"--points {count}: the number of points must be >= 1.");
            double supremum = Frontiers.SupremumKl(distribution);
            if (supremum <= 0.0)
                throw new TheoryInputException($"{path}: every outcome with mass has the same reward, so every policy of the family is the base: there is no frontier.");
            double max = parseResult.GetValue(maxKl) ?? 0.9 * supremum;
            var curve = Invalid(() => Frontiers.ForKlRange(distribution, Families[familyName], count, max), "--max-kl");
            stdout.Write(parseResult.GetValue(csv) ? TheoryJson.WriteFrontierCsv(familyName, curve) : TheoryJson.WriteFrontier(familyName, curve) + Environment.NewLine);
        }));
        return command;
    }

    private static Command CreateContinuous()
    {
        var n = new Option<double>("--n") { Required = true, HelpName = "N", Description = "n >= 1 (real n allowed)." };
        var command = new Command("continuous", "Continuous-case best-of-n KL and win rate, and the optimal tilt's c and win rate at that KL.") { n };
        command.SetAction(parseResult => Guarded(parseResult, "continuous", stdout =>
        {
            double value = parseResult.GetValue(n);
            stdout.WriteLine(TheoryJson.WriteContinuous(Invalid(() => ContinuousCase.OptimalAtBonKl(value), "--n")));
        }));
        return command;
    }

    private static Option<string> InputOption() =>
        new("--input") { Required = true, HelpName = "case.json", Description = "The case file: {\"probs\":[…], \"rewards\":[…], \"policies\":[{\"kind\":\"bon\",\"n\":4}, …]}." };

    /// <summary>Runs a subcommand body; invalid input becomes one line on stderr and exit code 2.</summary>
    private static int Guarded(ParseResult parseResult, string name, Action<TextWriter> body)
    {
        var configuration = parseResult.InvocationConfiguration;
        try
        {
            body(configuration.Output);
            return ExitCodes.Success;
        }
        catch (TheoryInputException e)
        {
            configuration.Error.WriteLine($"alignlab theory {name}: {e.Message}");
            return InvalidInput;
        }
    }

    private static TheoryCase ReadCase(string path)
    {
        if (Directory.Exists(path)) throw new TheoryInputException($"'{path}' is a folder; --input takes a case file (.json).");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TheoryInputException($"cannot read case file '{path}': {e.Message}");
        }
        return TheoryJson.ParseCase(text, path);
    }

    private static RewardDistribution Distribution(TheoryCase theoryCase, string path) =>
        Invalid(() => new RewardDistribution(theoryCase.Probs, theoryCase.Rewards), path);

    private static DiscretePolicy Build(RewardDistribution d, TheoryPolicySpec spec, string where) => Invalid(() => spec.Kind switch
    {
        "base" => Tilting.Base(d),
        "bon" => Tilting.BestOfN(d, spec.Parameter!.Value),
        "worst" => Tilting.WorstOfN(d, spec.Parameter!.Value),
        "optimal" => Tilting.WinRateOptimal(d, spec.Parameter!.Value),
        _ => Tilting.Rlhf(d, spec.Parameter!.Value),
    }, where);

    /// <summary>Runs a theory call; its ArgumentException (a message naming index and value) becomes invalid input.</summary>
    private static T Invalid<T>(Func<T> call, string where)
    {
        try
        {
            return call();
        }
        catch (ArgumentException e)
        {
            // Theory messages name the library's parameters; the case file calls the base probabilities "probs".
            string message = UserMessages.Of(e);
            throw new TheoryInputException($"{where}: {message.Replace("probabilities", "probs", StringComparison.Ordinal)}");
        }
    }

    /// <summary>Checks <c>--output</c> before any work: a file path whose folder exists.</summary>
    private static void CheckWritable(string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (ArgumentException e)
        {
            throw new TheoryInputException($"--output '{path}' is not a file path: {e.Message}");
        }
        if (Directory.Exists(full)) throw new TheoryInputException($"--output '{path}' is a folder; give the path of the file to write.");
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new TheoryInputException($"cannot write '{path}': the folder '{folder}' does not exist.");
    }

    private static void WriteAtomically(string path, string text)
    {
        try
        {
            AtomicFile.WriteAllText(path, text + Environment.NewLine);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TheoryInputException($"cannot write '{path}': {e.Message}");
        }
    }
}
