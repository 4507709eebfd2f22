using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AlignLab.Cli.Tests;

/// <summary>
/// A throwaway single-node Slurm cluster on localhost from Debian's <c>slurm-wlm</c> and <c>munge</c>: its own munge key
/// and socket, <c>slurmctld</c> and <c>slurmd</c> on free ports with <c>ProctrackType=proctrack/linuxproc</c>,
/// <c>TaskPlugin=task/none</c> and <c>CgroupPlugin=cgroup/v1</c>, all state in a temporary folder. Clients reach it
/// through <see cref="Environment"/> (<c>SLURM_CONF</c>). Dispose kills the three daemons by their pids and deletes the folder.
/// Without the packages or root the test is skipped with the reason on a developer machine and fails under CI=true.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    private const string InstallHint = "install Debian's slurm-wlm and munge (`apt-get install -y slurm-wlm munge`) and run the tests as root";
    private readonly List<Process> daemons = [];
    private readonly string folder;

    private SlurmCluster()
    {
        folder = Directory.CreateTempSubdirectory("alignlab-slurm-").FullName;
        Environment = new Dictionary<string, string> { ["SLURM_CONF"] = Path.Combine(folder, "slurm.conf") };
    }

    /// <summary>Environment variables that point Slurm's commands at this cluster.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Starts the cluster and waits until its node is idle (at most a minute).</summary>
    public static SlurmCluster Start()
    {
        var missing = new[] { "munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel" }.Where(c => Which(c) is null).ToList();
        if (missing.Count > 0) Unavailable($"{string.Join(", ", missing)} not found on the PATH");
        if (System.Environment.UserName != "root") Unavailable("slurmd must run as root to start jobs");

        var cluster = new SlurmCluster();
        try
        {
            cluster.Configure();
            cluster.StartDaemons();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Runs a Slurm client command against this cluster and returns its exit code and output.</summary>
    public (int ExitCode, string Output) Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in Environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    /// <summary>Waits until the queue is empty (every job ended), failing after <paramref name="timeout"/>.</summary>
    public void WaitForEmptyQueue(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Run("squeue", "-h") is var (exit, output) && (exit != 0 || output.Trim().Length > 0))
        {
            if (clock.Elapsed > timeout) Assert.Fail($"Slurm jobs still queued after {timeout}: {output}");
            Thread.Sleep(500);
        }
    }

    private void Configure()
    {
        var key = new byte[1024];
        Random.Shared.NextBytes(key);
        var keyFile = Path.Combine(folder, "munge.key");
        File.WriteAllBytes(keyFile, key);
        // munged refuses a key that others can read.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyFile, UnixFileMode.UserRead);
        Directory.CreateDirectory(Path.Combine(folder, "state"));
        Directory.CreateDirectory(Path.Combine(folder, "spool"));
        var host = System.Environment.MachineName;
        File.WriteAllText(Path.Combine(folder, "slurm.conf"), $"""
            ClusterName=alignlabtest
            SlurmctldHost={host}(127.0.0.1)
            SlurmctldPort={FreePort()}
            SlurmdPort={FreePort()}
            SlurmUser=root
            AuthType=auth/munge
            AuthInfo=socket={folder}/munge.socket
            CredType=cred/munge
            StateSaveLocation={folder}/state
            SlurmdSpoolDir={folder}/spool
            SlurmctldPidFile={folder}/slurmctld.pid
            SlurmdPidFile={folder}/slurmd.pid
            SlurmctldLogFile={folder}/slurmctld.log
            SlurmdLogFile={folder}/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SchedulerType=sched/backfill
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            MpiDefault=none
            ReturnToService=2
            JobCompType=jobcomp/none
            AccountingStorageType=accounting_storage/none
            NodeName={host} NodeAddr=127.0.0.1 CPUs={System.Environment.ProcessorCount} State=UNKNOWN
            PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP

            """);
        File.WriteAllText(Path.Combine(folder, "cgroup.conf"), "CgroupPlugin=cgroup/v1\n");
    }

    private void StartDaemons()
    {
        var conf = Environment["SLURM_CONF"];
        Daemon("munged", "-F", "--force", $"--key-file={folder}/munge.key", $"--socket={folder}/munge.socket",
            $"--pid-file={folder}/munged.pid", $"--log-file={folder}/munged.log", $"--seed-file={folder}/munge.seed");
        WaitFor(() => File.Exists(Path.Combine(folder, "munge.socket")), "munged did not create its socket");
        Daemon("slurmctld", "-D", "-f", conf);
        Daemon("slurmd", "-D", "-f", conf);
        WaitFor(() => Run("sinfo", "-h", "-o", "%T") is (0, var state) && state.Trim() == "idle", "the node did not become idle");
    }

    private void Daemon(string command, params string[] args)
    {
        var start = new ProcessStartInfo(Which(command)!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in Environment) start.Environment[name] = value;
        var process = Process.Start(start)!;
        var log = new StreamWriter(Path.Combine(folder, command + ".out")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        daemons.Add(process);
    }

    private void WaitFor(Func<bool> ready, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!ready())
        {
            var dead = daemons.FirstOrDefault(d => d.HasExited);
            if (dead is not null || clock.Elapsed > TimeSpan.FromMinutes(1))
                throw new InvalidOperationException($"single-node Slurm did not start: {what}{(dead is null ? "" : $" ({dead.StartInfo.FileName} exited with {dead.ExitCode})")}; "
                    + $"its logs: {string.Join(" | ", Directory.EnumerateFiles(folder, "*.out").Select(f => $"{Path.GetFileName(f)}: {Tail(f)}"))}");
            Thread.Sleep(200);
        }
    }

    private static string Tail(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return string.Join(" / ", new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Which(string command) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Concat(["/usr/sbin", "/sbin"]).Select(dir => Path.Combine(dir, command)).FirstOrDefault(File.Exists);

    private static void Unavailable(string reason)
    {
        var message = $"a single-node Slurm cannot be started here: {reason}; {InstallHint}.";
        if (System.Environment.GetEnvironmentVariable("CI") is { } ci && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1"))
            throw new Xunit.Sdk.XunitException(message);
        throw new SkipException(message);
    }

    /// <summary>Kills the daemons (slurmd with the job steps it started) by their pids and deletes the cluster's folder.</summary>
    public void Dispose()
    {
        foreach (var daemon in Enumerable.Reverse(daemons))
        {
            try
            {
                if (!daemon.HasExited) daemon.Kill(entireProcessTree: true);
                daemon.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }
            daemon.Dispose();
        }
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
    }
}
