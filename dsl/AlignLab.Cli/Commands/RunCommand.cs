using System.CommandLine;
using AlignLab.Cli.Scripting;
using AlignLab.Dsl;
using AlignLab.Dsl.Scripting;

namespace AlignLab.Cli.Commands;

/// <summary>
/// <c>alignlab run FILE [--set key=value …] [--out DIR] [--resume [RUN] [--allow-config-change]] [--row KEY]</c>: runs a
/// <c>.csx</c> or <c>.fsx</c> experiment script (continuing an earlier run of its experiments with <c>--resume</c>, or
/// computing one row of a sweep's run with <c>--row</c>, see <see cref="SweepCommand"/>). Notebooks run in the .NET
/// Interactive kernel instead (docs/notebooks.md).
/// </summary>
public static class RunCommand
{
    /// <summary>Creates the <c>run</c> command.</summary>
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The script to run: a C# (.csx) or F# (.fsx) file." };
        var set = SetOption();
        var output = new Option<string>("--out")
        {
            HelpName = "dir",
            Description = "Folder the script writes its results to (default: ./out/<script name>).",
        };
        var resume = new Option<string>("--resume")
        {
            HelpName = "run",
            Arity = ArgumentArity.ZeroOrOne,
            Description = "Continue an earlier run of the script's experiments (finished rows reused, the interrupted row from its checkpoint): "
                + "the run RUN (id or unique prefix), or without RUN the latest run of each experiment's name.",
        };
        var allowConfigChange = new Option<bool>("--allow-config-change")
        {
            Description = "With --resume: continue even when the experiment's settings differ from the run's (recorded in the run).",
        };

        var row = new Option<string>("--row")
        {
            HelpName = "key",
            Description = "Compute only this row of the script's experiment (a key as `alignlab sweep status` lists them) into a sweep's run: "
                + "the run given with --resume RUN, else the latest sweep run of the experiment; skipped when its result is already there.",
        };

        var command = new Command("run", "Run a C# (.csx) or F# (.fsx) experiment script with AlignLab referenced and imported.")
        {
            file, set, output, resume, allowConfigChange, row,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(allowConfigChange) is not null && result.GetResult(resume) is null)
                result.AddError("--allow-config-change only applies with --resume.");
        });
        command.SetAction(parseResult =>
        {
            var args = ScriptArguments(parseResult, set);
            var configuration = parseResult.InvocationConfiguration;
            var resumeRequest = parseResult.GetResult(resume) is null
                ? null
                : new ExperimentResume(parseResult.GetValue(resume), parseResult.GetValue(allowConfigChange));
            // A row joins the sweep's run that --resume names; it never resumes a whole run.
            var sweep = parseResult.GetValue(row) is { } key ? new ExperimentSweep(SweepStep.Row, resumeRequest?.RunId, key) : null;
            return WithCtrlC(configuration.Error, token => RunScript(parseResult.GetValue(file)!, args, parseResult.GetValue(output),
                sweep is null ? resumeRequest : null, sweep, configuration.Output, configuration.Error, token));
        });
        return command;
    }

    /// <summary>
    /// Runs a script: checks the file, creates its <see cref="ScriptContext"/> (output folder <paramref name="outputDirectory"/>
    /// or <c>./out/&lt;script name&gt;</c>; <see cref="ScriptContext.Log"/> writes to <paramref name="output"/>) and
    /// hands it to the C# or F# host by extension. Returns an exit code from <see cref="ExitCodes"/>; user mistakes are
    /// one line on <paramref name="error"/>, without a stack trace.
    /// </summary>
    public static int RunScript(string scriptPath, IReadOnlyDictionary<string, string> args, string? outputDirectory,
        TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunScript(scriptPath, args, outputDirectory, resume: null, sweep: null, output, error, cancellationToken);

    /// <summary>
    /// <see cref="RunScript(string, IReadOnlyDictionary{string, string}, string?, TextWriter, TextWriter, CancellationToken)"/>
    /// with <paramref name="resume"/> handed to the script (<see cref="ScriptContext.Resume"/>), so its experiments
    /// continue an earlier run (<c>--resume</c>).
    /// </summary>
    public static int RunScript(string scriptPath, IReadOnlyDictionary<string, string> args, string? outputDirectory, ExperimentResume? resume,
        TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunScript(scriptPath, args, outputDirectory, resume, sweep: null, output, error, cancellationToken);

    /// <summary>
    /// <see cref="RunScript(string, IReadOnlyDictionary{string, string}, string?, TextWriter, TextWriter, CancellationToken)"/>
    /// with the script's first experiment doing <paramref name="sweep"/>'s part of a sweep (<see cref="ScriptContext.Sweep"/>).
    /// </summary>
    public static int RunScript(string scriptPath, IReadOnlyDictionary<string, string> args, string? outputDirectory, ExperimentSweep sweep,
        TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunScript(scriptPath, args, outputDirectory, resume: null, sweep, output, error, cancellationToken);

    private static int RunScript(string scriptPath, IReadOnlyDictionary<string, string> args, string? outputDirectory, ExperimentResume? resume,
        ExperimentSweep? sweep, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scriptPath);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (Directory.Exists(scriptPath))
        {
            error.WriteLine($"alignlab run: '{scriptPath}' is a folder; give a .csx or .fsx script.");
            return ExitCodes.Failure;
        }
        if (!File.Exists(scriptPath))
        {
            error.WriteLine($"alignlab run: script not found: {scriptPath}");
            return ExitCodes.Failure;
        }
        string extension = Path.GetExtension(scriptPath).ToLowerInvariant();
        if (extension == ".ipynb")
        {
            error.WriteLine($"alignlab run: '{scriptPath}' is a notebook: run it in the .NET Interactive kernel, e.g. " +
                $"jupyter nbconvert --to notebook --execute {scriptPath} (set-up: docs/notebooks.md).");
            return ExitCodes.Failure;
        }
        if (extension is not (".csx" or ".fsx"))
        {
            error.WriteLine($"alignlab run: cannot run '{scriptPath}': expected a .csx (C#) or .fsx (F#) script, got '{extension}'.");
            return ExitCodes.Failure;
        }
        // --out is checked before any work (a script may run for hours before it writes there); a run that fails leaves
        // no empty folder behind.
        string folder = outputDirectory ?? ScriptContext.DefaultOutputDirectory(scriptPath);
        var created = FoldersToCreate(folder);
        if (!CheckOutputFolder(folder, error))
        {
            RemoveIfEmpty(created);
            return ExitCodes.Failure;
        }
        int exit = extension switch
        {
            ".csx" => CSharpScriptHost.RunAsync(Context(), error).GetAwaiter().GetResult(),
            _ => FSharpScriptHost.Run(Context(), error),
        };
        if (exit != ExitCodes.Success) RemoveIfEmpty(created);
        return exit;

        ScriptContext Context() => new(scriptPath, args, folder, TextWriter.Synchronized(output).WriteLine, cancellationToken) { Resume = resume, Sweep = sweep };
    }

    /// <summary>Creates the output folder and writes (and deletes) a file in it; false after one line on <paramref name="error"/>.</summary>
    private static bool CheckOutputFolder(string folder, TextWriter error)
    {
        try
        {
            Directory.CreateDirectory(folder);
            using (File.Create(Path.Combine(folder, $".alignlab-write-check-{Guid.NewGuid():N}"), 1, FileOptions.DeleteOnClose)) { }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // A file in the way, a read-only parent, or a folder such as /proc that takes no files: a user mistake.
            error.WriteLine($"alignlab run: cannot write to the output folder '{folder}': {e.Message} (choose another with --out).");
            return false;
        }
    }

    /// <summary>The folders, deepest first, that creating <paramref name="folder"/> will create.</summary>
    private static List<string> FoldersToCreate(string folder)
    {
        var missing = new List<string>();
        try
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(folder)); dir is not null && !dir.Exists; dir = dir.Parent) missing.Add(dir.FullName);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            // Not a usable path: CheckOutputFolder reports it.
        }
        return missing;
    }

    private static void RemoveIfEmpty(List<string> created)
    {
        foreach (var dir in created)
        {
            try
            {
                if (!Directory.Exists(dir) || Directory.EnumerateFileSystemEntries(dir).Any()) return;
                Directory.Delete(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // best effort: the run's own error is what the user needs to see
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> with a token the first Ctrl-C signals (saying so on <paramref name="error"/>); a
    /// second Ctrl-C ends the process as usual.
    /// </summary>
    internal static int WithCtrlC(TextWriter error, Func<CancellationToken, int> action)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = !cancellation.IsCancellationRequested;
            if (e.Cancel) error.WriteLine("alignlab: stopping at the next step and saving a checkpoint (Ctrl-C again to quit at once)...");
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return action(cancellation.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The <c>--set key=value</c> option of the commands that run a script (<c>run</c>, <c>sweep</c>).</summary>
    internal static Option<string[]> SetOption()
    {
        var set = new Option<string[]>("--set")
        {
            Description = "A script argument as key=value (repeatable); the script reads it with Arg(\"key\", default).",
            AllowMultipleArgumentsPerToken = false,
            HelpName = "key=value",
        };
        set.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                if (ParseAssignment(token.Value) is null) result.AddError($"--set expects key=value, got '{token.Value}'.");
        });
        return set;
    }

    /// <summary>The script arguments given with <paramref name="set"/> (the last value of a repeated key wins).</summary>
    internal static Dictionary<string, string> ScriptArguments(ParseResult parseResult, Option<string[]> set) =>
        (parseResult.GetValue(set) ?? []).Select(t => ParseAssignment(t)!.Value).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    private static KeyValuePair<string, string>? ParseAssignment(string text)
    {
        int equals = text.IndexOf('=');
        return equals > 0 ? KeyValuePair.Create(text[..equals].Trim(), text[(equals + 1)..]) : null;
    }
}
