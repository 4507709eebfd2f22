using AlignLab.Cli;

namespace AlignLab.Cli.Tests;

/// <summary>The outcome of one in-process <see cref="CliApp.Invoke"/>.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>Runs the CLI in-process with captured stdout/stderr.</summary>
    public static CliRun Invoke(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = CliApp.Invoke(args, output, error);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
