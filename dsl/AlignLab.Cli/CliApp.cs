using System.CommandLine;
using System.CommandLine.Invocation;
using AlignLab.Cli.Commands;
using AlignLab.Engine.Tasks;

namespace AlignLab.Cli;

/// <summary>
/// The <c>alignlab</c> command line: builds the command tree and runs one invocation. <c>Program</c> calls it with the
/// console; tests call it in-process with string writers. Commands write to
/// <c>parseResult.InvocationConfiguration.Output</c>/<c>.Error</c>, never to <see cref="Console"/> directly.
/// </summary>
public static class CliApp
{
    /// <summary>Parses <paramref name="args"/>, runs the chosen command and returns its exit code (see <see cref="ExitCodes"/>).
    /// Usage errors print the message and the command's help on <paramref name="error"/> and return <see cref="ExitCodes.Failure"/>.</summary>
    public static int Invoke(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parseResult = CreateRootCommand().Parse(args);
        // On a usage error the help text is part of the error report, so it goes to stderr too.
        var configuration = new InvocationConfiguration
        {
            Output = parseResult.Errors.Count > 0 ? error : output,
            Error = error,
            EnableDefaultExceptionHandler = true,
            ProcessTerminationTimeout = null,
        };
        // The engine reports a damaged model cache entry (and rebuilds it); the user is told in one line.
        using var damaged = ModelCache.ReportDamaged(entry => error.WriteLine(Describe(entry)));
        return parseResult.Invoke(configuration);
    }

    private static string Describe(DamagedCacheEntry entry)
    {
        string aside = entry.MovedTo is null ? "" : $" moved it to '{entry.MovedTo}';";
        return $"alignlab: damaged model cache entry '{entry.Path}': {entry.Reason};{aside} rebuilding it.";
    }

    /// <summary>The root command with every command group registered.</summary>
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("AlignLab: best-of-n alignment research lab. Runs C# (.csx) and F# (.fsx) experiment scripts.");
        foreach (var version in root.Options.OfType<VersionOption>()) version.Action = new PrintVersionAction();

        // Command groups, one registration line each.
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(TheoryCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(BonCommand.Create());
        root.Subcommands.Add(RewardCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        return root;
    }

    private sealed class PrintVersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(AlignLabVersion.Version);
            return ExitCodes.Success;
        }
    }
}
