using System.Diagnostics;

namespace AlignLab.Cli.Sweeps;

/// <summary>
/// The Slurm commands a sweep uses, run as processes: <c>sbatch</c> to submit a job array, <c>squeue</c> (and
/// <c>sacct</c> when accounting is on) to see where its tasks stand. Each array task is named <c>JOB_INDEX</c>.
/// </summary>
public static class Slurm
{
    /// <summary>Whether <paramref name="command"/> (e.g. <c>sbatch</c>) is on the PATH.</summary>
    public static bool IsInstalled(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Any(folder => File.Exists(Path.Combine(folder, command)));

    /// <summary>
    /// Submits the job script at <paramref name="scriptPath"/> with <c>sbatch --parsable</c> and returns the job id.
    /// Throws <see cref="InvalidOperationException"/> with sbatch's message when it refuses the job.
    /// </summary>
    public static string Submit(string scriptPath)
    {
        var (exit, output, error) = Run("sbatch", "--parsable", scriptPath);
        if (exit != 0) throw new InvalidOperationException($"sbatch refused the job: {FirstLine(error, output)}");
        // --parsable prints "JOB" or "JOB;CLUSTER".
        return output.Trim().Split(';')[0];
    }

    /// <summary>
    /// The states of the array tasks of <paramref name="jobs"/> by task name (<c>JOB_INDEX</c>): from <c>squeue</c> for
    /// tasks still queued or running (PENDING, RUNNING, …), and from <c>sacct</c> for ended ones when accounting is on
    /// (COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, …). Null when <c>squeue</c> is missing or fails.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? TaskStates(IReadOnlyCollection<string> jobs)
    {
        if (jobs.Count == 0 || !IsInstalled("squeue")) return null;
        var list = string.Join(',', jobs);
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        // Without accounting sacct fails; the queue alone then tells running from pending.
        if (IsInstalled("sacct") && Run("sacct", "-n", "-P", "-X", "-j", list, "-o", "JobID,State") is (0, var ended, _))
            foreach (var (task, state) in Parse(ended)) states[task] = state;
        if (Run("squeue", "-h", "-r", "-j", list, "-o", "%i|%T") is not (0, var queued, _)) return states.Count > 0 ? states : null;
        foreach (var (task, state) in Parse(queued)) states[task] = state;
        return states;
    }

    // Lines "JOB_INDEX|STATE[ by UID]"; a pending array's summary line ("JOB_[2-7%2]") names no single task and is skipped.
    private static IEnumerable<(string Task, string State)> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|'))
            .Where(parts => parts.Length >= 2 && !parts[0].Contains('['))
            .Select(parts => (parts[0], parts[1].Split(' ')[0]));

    private static string FirstLine(string error, string output) =>
        (error + "\n" + output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";

    private static (int Exit, string Output, string Error) Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}
