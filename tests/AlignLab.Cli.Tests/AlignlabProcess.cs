using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AlignLab.Cli.Tests;

/// <summary>
/// The built <c>alignlab</c> run as a separate process, as a user runs it, and real signals sent to it. The test project
/// references the CLI, so <c>alignlab.dll</c> and its runtimeconfig sit next to the test assembly.
/// </summary>
public static class AlignlabProcess
{
    private const int SigInt = 2;
    private static readonly nint SigDfl = 0, SigIgn = 1;
    private static readonly object forkGate = new();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "signal", SetLastError = true)]
    private static extern nint SetSignalHandler(int signal, nint handler);

    /// <summary>Starts <c>alignlab ARGS</c> with stdout and stderr redirected, SIGINT deliverable (see the comment inside).</summary>
    public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary><see cref="Start(string[])"/> with <paramref name="environment"/> added to the child's environment.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "alignlab.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // A model cache and run store of the test's own (created only if the script uses them), never the user's. Keyed
        // on --out, so that a killed run and its resume, which share their output folder, share them too.
        int outIndex = Array.IndexOf(args, "--out");
        CliRun.Isolated(start, outIndex >= 0 && outIndex + 1 < args.Length
            ? args[outIndex + 1] + "-state"
            : Path.Combine(Path.GetTempPath(), "alignlab-e2e-" + Guid.NewGuid().ToString("N")));
        foreach (var (name, value) in environment) start.Environment[name] = value;
        // A process started with SIGINT ignored (in the background of a non-interactive shell, as CI runners and `cmd &`
        // do) hands that on to its children, and .NET then leaves it ignored, so no Ctrl-C could reach alignlab. For
        // the moment of the fork the disposition is the default, so the child starts as it would from a terminal;
        // nothing is changed when SIGINT is not ignored (the runtime's own handler is then in place).
        lock (forkGate)
        {
            if (!IgnoresSigInt()) return Process.Start(start)!;
            SetSignalHandler(SigInt, SigDfl);
            try
            {
                return Process.Start(start)!;
            }
            finally
            {
                SetSignalHandler(SigInt, SigIgn);
            }
        }
    }

    /// <summary>Runs <c>alignlab ARGS</c> to its end (at most 3 minutes) and returns its exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    /// <summary><see cref="Run(string[])"/> with <paramref name="environment"/> added to the child's environment.</summary>
    public static (int ExitCode, string Output, string Error) Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Start(environment, args);
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "alignlab did not exit within 3 minutes");
        return (process.ExitCode, output, error.Result);
    }

    /// <summary>Sends SIGINT (Ctrl-C) to <paramref name="process"/>.</summary>
    public static void Interrupt(Process process) => Assert.Equal(0, kill(process.Id, SigInt));

    /// <summary>Waits for <paramref name="process"/> to exit (at most <paramref name="seconds"/>) and returns its exit code.</summary>
    public static int Exit(Process process, int seconds = 60)
    {
        if (!process.WaitForExit(TimeSpan.FromSeconds(seconds)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"alignlab did not exit within {seconds} s");
        }
        return process.ExitCode;
    }

    private static bool IgnoresSigInt()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) != 0;
    }
}
