using System.Diagnostics;
using System.Text;

namespace AlignLab.Packaging.Tests;

/// <summary>Runs a command to completion and keeps its exit code and its interleaved standard output and error.</summary>
internal sealed record ProcessRun(string Command, int ExitCode, string Output)
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>, with
    /// <paramref name="environment"/> added to (or, for null values, removed from) this process's environment. Kills it
    /// and fails the test after <paramref name="timeout"/>.
    /// </summary>
    public static ProcessRun Start(string file, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        string command = $"{file} {string.Join(' ', start.ArgumentList)}";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"'{command}' did not finish within {timeout}:\n{output}");
        }
        process.WaitForExit();   // drains the output events
        return new ProcessRun(command, process.ExitCode, output.ToString());
    }

    /// <summary>Fails the test with the command and its output unless it exited with 0; returns this run.</summary>
    public ProcessRun Succeeded() =>
        ExitCode == 0 ? this : throw new Xunit.Sdk.XunitException($"'{Command}' exited with {ExitCode}:\n{Output}");
}
