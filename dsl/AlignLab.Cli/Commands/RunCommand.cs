using System.CommandLine;
using AlignLab.Cli.Scripting;
using AlignLab.Dsl.Scripting;

namespace AlignLab.Cli.Commands;

/// <summary>
/// <c>alignlab run FILE [--set key=value …] [--out DIR]</c>: runs a <c>.csx</c> or <c>.fsx</c> experiment script.
/// Notebooks run in the .NET Interactive kernel instead (docs/notebooks.md).
/// </summary>
public static class RunCommand
{
    /// <summary>Creates the <c>run</c> command.</summary>
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The script to run: a C# (.csx) or F# (.fsx) file." };
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
        var output = new Option<string>("--out")
        {
            HelpName = "dir",
            Description = "Folder the script writes its results to (default: ./out/<script name>).",
        };

        var command = new Command("run", "Run a C# (.csx) or F# (.fsx) experiment script with AlignLab referenced and imported.")
        {
            file, set, output,
        };
        command.SetAction(parseResult =>
        {
            var args = (parseResult.GetValue(set) ?? []).Select(t => ParseAssignment(t)!.Value)
                .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value);
            var configuration = parseResult.InvocationConfiguration;
            return RunWithCtrlC(parseResult.GetValue(file)!, args, parseResult.GetValue(output), configuration.Output, configuration.Error);
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
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scriptPath);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
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
        var log = TextWriter.Synchronized(output);
        string folder = outputDirectory ?? ScriptContext.DefaultOutputDirectory(scriptPath);
        ScriptContext context;
        try
        {
            context = new ScriptContext(scriptPath, args, folder, log.WriteLine, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The context creates the output folder; a file in the way or a read-only parent is a user mistake.
            error.WriteLine($"alignlab run: cannot create the output folder '{folder}': {e.Message} (choose another with --out DIR).");
            return ExitCodes.Failure;
        }
        return extension == ".csx"
            ? CSharpScriptHost.RunAsync(context, error).GetAwaiter().GetResult()
            : FSharpScriptHost.Run(context, error);
    }

    private static int RunWithCtrlC(string scriptPath, IReadOnlyDictionary<string, string> args, string? outputDirectory,
        TextWriter output, TextWriter error)
    {
        using var cancellation = new CancellationTokenSource();
        // The first Ctrl-C asks the script to stop (its token); a second one ends the process as usual.
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return RunScript(scriptPath, args, outputDirectory, output, error, cancellation.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static KeyValuePair<string, string>? ParseAssignment(string text)
    {
        int equals = text.IndexOf('=');
        return equals > 0 ? KeyValuePair.Create(text[..equals].Trim(), text[(equals + 1)..]) : null;
    }
}
