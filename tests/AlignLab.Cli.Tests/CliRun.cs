using System.Diagnostics;
using AlignLab.Cli;
using AlignLab.Dsl.Results;
using AlignLab.Engine.Tasks;

namespace AlignLab.Cli.Tests;

/// <summary>The outcome of one in-process <see cref="CliApp.Invoke"/>.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    // The cache and run-store folders are process-wide environment variables, so in-process invocations take turns.
    private static readonly Lock EnvironmentLock = new();

    /// <summary>
    /// Runs the CLI in-process with captured stdout/stderr and a model cache and run store of its own (fresh temporary
    /// folders, deleted afterwards), so no test reads a base another test pretrained or a run another test wrote, and
    /// none touches the user's <c>~/.cache/alignlab</c> or a <c>./runs</c> beside the test process.
    /// </summary>
    public static CliRun Invoke(params string[] args) => InvokeWith(new Dictionary<string, string?>(), args);

    /// <summary><see cref="Invoke"/> with <paramref name="environment"/>'s variables set (null: unset) for the call.</summary>
    public static CliRun InvokeWith(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var state = Directory.CreateTempSubdirectory("alignlab-cli-state-").FullName;
        try
        {
            lock (EnvironmentLock)
            {
                var variables = new Dictionary<string, string?>(environment)
                {
                    [ModelCache.EnvironmentVariable] = Path.Combine(state, "cache"),
                    [RunStore.RootEnvironmentVariable] = Path.Combine(state, "runs"),
                };
                var previous = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
                foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
                try
                {
                    var output = new StringWriter();
                    var error = new StringWriter();
                    int exitCode = CliApp.Invoke(args, output, error);
                    return new CliRun(exitCode, output.ToString(), error.ToString());
                }
                finally
                {
                    foreach (var (name, value) in previous) Environment.SetEnvironmentVariable(name, value);
                }
            }
        }
        finally
        {
            try { Directory.Delete(state, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>Gives a child <c>alignlab</c> process the model cache and run store under <paramref name="folder"/>.</summary>
    public static ProcessStartInfo Isolated(ProcessStartInfo start, string folder)
    {
        start.Environment[ModelCache.EnvironmentVariable] = Path.Combine(folder, "cache");
        start.Environment[RunStore.RootEnvironmentVariable] = Path.Combine(folder, "runs");
        return start;
    }
}
