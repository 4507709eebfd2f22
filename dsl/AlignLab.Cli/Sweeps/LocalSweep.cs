using System.Diagnostics;
using System.Globalization;

namespace AlignLab.Cli.Sweeps;

/// <summary>
/// Runs a sweep's rows on this machine, <c>maxParallel</c> processes at a time, each with its share of the cores (torch's
/// threads) and, when GPUs are asked for, its own GPUs in <c>CUDA_VISIBLE_DEVICES</c>; each row's output goes to its log
/// in the run folder, and a line per finished row to the console.
/// </summary>
public static class LocalSweep
{
    /// <summary>
    /// Runs <paramref name="rows"/> of <paramref name="sweep"/> into run <paramref name="runId"/> and returns the rows that
    /// failed (exit code, last lines of their log). When <paramref name="cancellationToken"/> is signalled no further row
    /// starts and the running ones (which got the same Ctrl-C) are waited for.
    /// </summary>
    public static IReadOnlyList<string> Run(SweepManifest sweep, string runId, string runFolder, IReadOnlyList<string> rows, int maxParallel,
        int threadsPerRow, int gpusPerRow, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallel, 1);
        Directory.CreateDirectory(Path.Combine(runFolder, SweepManifest.LogsFolder));
        var gpus = GpuSlots(maxParallel, gpusPerRow);
        var free = new Queue<int>(Enumerable.Range(0, maxParallel));
        var running = new List<(Process Process, string Key, int Slot, Stopwatch Clock)>();
        var failed = new List<string>();
        int next = 0, done = 0;
        while (running.Count > 0 || (next < rows.Count && !cancellationToken.IsCancellationRequested))
        {
            while (running.Count < maxParallel && next < rows.Count && !cancellationToken.IsCancellationRequested)
            {
                int slot = free.Dequeue();
                var key = rows[next++];
                running.Add((Start(sweep.RowCommand(runId, key), sweep.WorkingDirectory, SweepManifest.LogPath(runFolder, key), threadsPerRow, gpus?[slot]),
                    key, slot, Stopwatch.StartNew()));
            }
            var ended = running.FirstOrDefault(r => r.Process.HasExited);
            if (ended.Process is null)
            {
                Thread.Sleep(100);
                continue;
            }
            running.Remove(ended);
            free.Enqueue(ended.Slot);
            ended.Process.WaitForExit(); // flushes the redirected output into the log
            int exit = ended.Process.ExitCode;
            ended.Process.Dispose();
            done++;
            var took = ended.Clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
            if (exit == 0)
            {
                output.WriteLine($"[{done}/{rows.Count}] {ended.Key}: done ({took} s)");
                continue;
            }
            var log = SweepManifest.LogPath(runFolder, ended.Key);
            failed.Add(ended.Key);
            output.WriteLine($"[{done}/{rows.Count}] {ended.Key}: failed (exit {exit}, {took} s); last lines of {log}:");
            foreach (var line in SweepStatus.LastLines(log)) output.WriteLine($"    {line}");
        }
        return failed;
    }

    private static Process Start(IReadOnlyList<string> command, string workingDirectory, string log, int threads, string? gpus)
    {
        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var word in command.Skip(1)) start.ArgumentList.Add(word);
        start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        start.Environment["MKL_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        if (gpus is not null) start.Environment["CUDA_VISIBLE_DEVICES"] = gpus;
        var writer = TextWriter.Synchronized(new StreamWriter(log, append: true) { AutoFlush = true });
        writer.WriteLine($"== row {command[^3]}: local process at {DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}");
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) writer.WriteLine(e.Data); };
        process.Disposed += (_, _) => writer.Dispose();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// The GPUs of each of <paramref name="slots"/> parallel rows, <paramref name="perRow"/> each, from the GPUs this
    /// process may use (its <c>CUDA_VISIBLE_DEVICES</c>, else devices 0, 1, …); null when no GPUs are asked for.
    /// </summary>
    public static IReadOnlyList<string>? GpuSlots(int slots, int perRow)
    {
        if (perRow <= 0) return null;
        var visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES");
        var devices = string.IsNullOrWhiteSpace(visible)
            ? Enumerable.Range(0, slots * perRow).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList()
            : visible.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (devices.Count < slots * perRow)
            throw new ArgumentException($"{slots} rows at once with {perRow} GPU(s) each need {slots * perRow} GPUs; CUDA_VISIBLE_DEVICES lists {devices.Count} ({visible}). Lower --max-parallel.");
        return [.. Enumerable.Range(0, slots).Select(s => string.Join(',', devices.Skip(s * perRow).Take(perRow)))];
    }
}
