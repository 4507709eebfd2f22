using System.Diagnostics;

namespace AlignLab.Dsl.Results;

/// <summary>
/// The process that writes a run: its id, host and start time, recorded in the manifest so that a run whose process
/// died (SIGKILL, power loss, a second Ctrl-C) can be told from one still going: <see cref="IsAlive"/>. The start time
/// guards against a recycled pid.
/// </summary>
/// <param name="Pid">Process id.</param>
/// <param name="Host">Machine name.</param>
/// <param name="StartedUtc">When the process started (UTC).</param>
public sealed record RunProcess(int Pid, string Host, DateTimeOffset StartedUtc)
{
    /// <summary>The running process.</summary>
    public static RunProcess Current()
    {
        using var self = Process.GetCurrentProcess();
        return new(self.Id, Environment.MachineName, self.StartTime.ToUniversalTime());
    }

    /// <summary>
    /// Whether this process still runs: true or false on the same host; null on another host, where it cannot be checked.
    /// </summary>
    public bool? IsAlive()
    {
        if (!string.Equals(Host, Environment.MachineName, StringComparison.Ordinal)) return null;
        try
        {
            using var process = Process.GetProcessById(Pid);
            // A pid reused by a later process has a later start time (recorded to the tick, compared to the second).
            return !process.HasExited && Math.Abs((process.StartTime.ToUniversalTime() - StartedUtc.UtcDateTime).TotalSeconds) < 1;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"pid {Pid} on {Host}";
}
