using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using AlignLab.Cli.Scripting;
using AlignLab.Cli.Sweeps;
using AlignLab.Dsl;
using AlignLab.Dsl.Results;

namespace AlignLab.Cli.Commands;

/// <summary>
/// <c>alignlab sweep SCRIPT [--set …] [--out DIR] [--resume [RUN]] [--slurm [--partition P] [--time T] [--mem M]]
/// [--cpus-per-task C] [--gpus-per-task G] [--max-parallel K] [--dry-run]</c>: runs the rows of the script's experiment
/// (<see cref="MethodSpec.Key"/>) as separate jobs into one run of the run store: a Slurm job array
/// (<see cref="SbatchScript"/>), or local processes K at a time (<see cref="LocalSweep"/>). <c>--resume RUN</c> submits
/// only the run's failed and missing rows. <c>alignlab sweep status RUN</c> shows where each row stands
/// (<see cref="SweepStatus"/>), <c>alignlab sweep collect RUN</c> writes the run's table and chart over its finished rows.
/// </summary>
public static partial class SweepCommand
{
    /// <summary>Creates the <c>sweep</c> command and its <c>status</c> and <c>collect</c> subcommands.</summary>
    public static Command Create()
    {
        var script = new Argument<string>("script") { Description = "The experiment script (.csx or .fsx); its first Experiment.Run() is swept." };
        var set = RunCommand.SetOption();
        var output = new Option<string>("--out") { HelpName = "dir", Description = "The script's output folder (default: ./out/<script name>)." };
        var resume = new Option<string>("--resume")
        {
            HelpName = "run",
            Arity = ArgumentArity.ZeroOrOne,
            Description = "Rerun an earlier sweep's failed and missing rows into its run: RUN (id or unique prefix), or the latest sweep run of the experiment.",
        };
        var slurm = new Option<bool>("--slurm") { Description = "Submit the rows as a Slurm job array (sbatch) instead of running them here." };
        var partition = new Option<string>("--partition") { HelpName = "name", Description = "Slurm partition (default: the cluster's)." };
        var time = new Option<string>("--time") { HelpName = "HH:MM:SS", Description = "Slurm time limit per row (default: the partition's)." };
        var cpus = new Option<int?>("--cpus-per-task") { HelpName = "n", Description = "Cores per row: torch's threads (default: 1 on Slurm; locally the cores shared among the rows running at once)." };
        var gpus = new Option<int>("--gpus-per-task") { HelpName = "n", Description = "GPUs per row; each row sees its own in CUDA_VISIBLE_DEVICES (default 0)." };
        var memory = new Option<string>("--mem") { HelpName = "size", Description = "Slurm memory per row, e.g. 4G (default: the partition's)." };
        var maxParallel = new Option<int?>("--max-parallel") { HelpName = "k", Description = "Most rows running at once (Slurm: --array=0-N%K; default no limit; locally: the number of cores)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the sbatch script (locally: the row commands) and submit nothing." };

        var command = new Command("sweep", "Run an experiment's rows as separate jobs (a Slurm job array, or local processes) into one run; status and collect gather them.")
        {
            script, set, output, resume, slurm, partition, time, cpus, gpus, memory, maxParallel, dryRun,
        };
        command.SetAction(parseResult =>
        {
            var configuration = parseResult.InvocationConfiguration;
            var request = new SweepRequest(parseResult.GetValue(script)!, RunCommand.ScriptArguments(parseResult, set), parseResult.GetValue(output),
                parseResult.GetResult(resume) is null ? null : new ExperimentResume(parseResult.GetValue(resume)), parseResult.GetValue(slurm),
                new SlurmOptions(parseResult.GetValue(partition), parseResult.GetValue(time), parseResult.GetValue(cpus), parseResult.GetValue(gpus),
                    parseResult.GetValue(memory), parseResult.GetValue(maxParallel)),
                parseResult.GetValue(dryRun));
            // The first Ctrl-C stops starting rows; the running ones get it too and save a checkpoint.
            return RunCommand.WithCtrlC(configuration.Error, token => Sweep(request, configuration.Output, configuration.Error, token));
        });

        var root = new Option<string>("--root")
        {
            HelpName = "dir",
            Description = $"The run store folder (default: ${RunStore.RootEnvironmentVariable}, else ./{RunStore.DefaultRoot}).",
        };
        var statusRun = new Argument<string>("run") { Description = "The sweep's run id (or a unique prefix)." };
        var status = new Command("status", "Show where each row of a sweep stands: done, running, pending, failed (with its log's last lines) or missing.") { statusRun, root };
        status.SetAction(parseResult => Status(parseResult.GetValue(statusRun)!, parseResult.GetValue(root),
            parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error));
        var collectRun = new Argument<string>("run") { Description = "The sweep's run id (or a unique prefix)." };
        var collect = new Command("collect", "Write a sweep's table and chart over its finished rows (and complete its run when every row is there).") { collectRun, root };
        collect.SetAction(parseResult => RunCommand.WithCtrlC(parseResult.InvocationConfiguration.Error, token => Collect(parseResult.GetValue(collectRun)!, parseResult.GetValue(root),
            parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, token)));

        command.Subcommands.Add(status);
        command.Subcommands.Add(collect);
        return command;
    }

    /// <summary>What <c>alignlab sweep SCRIPT</c> was asked to do.</summary>
    /// <param name="Script">The experiment script.</param>
    /// <param name="Args">Its <c>--set</c> arguments.</param>
    /// <param name="OutputDirectory">Its <c>--out</c> folder, or null.</param>
    /// <param name="Resume">The earlier sweep run to complete (<c>--resume</c>), or null for a new run.</param>
    /// <param name="Slurm">Submit to Slurm rather than run here.</param>
    /// <param name="Options">Resources per row.</param>
    /// <param name="DryRun">Print, submit nothing.</param>
    public sealed record SweepRequest(string Script, IReadOnlyDictionary<string, string> Args, string? OutputDirectory, ExperimentResume? Resume,
        bool Slurm, SlurmOptions Options, bool DryRun);

    /// <summary>
    /// Plans the script's experiment, opens its sweep run (new, or the <c>--resume</c>d one with only its failed and
    /// missing rows left to do) and submits the rows to Slurm or runs them here; see <see cref="SweepCommand"/>. Returns an
    /// exit code: <see cref="ExitCodes.InvalidInput"/> for options that cannot work and a script with no experiment.
    /// </summary>
    public static int Sweep(SweepRequest request, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Problem(request) is { } problem)
        {
            error.WriteLine($"alignlab sweep: {problem}");
            return ExitCodes.InvalidInput;
        }
        if (request.Slurm && !request.DryRun && !Slurm.IsInstalled("sbatch"))
        {
            error.WriteLine("alignlab sweep: sbatch is not on the PATH (no Slurm here); run on the cluster's login node, or without --slurm to run the rows on this machine.");
            return ExitCodes.Failure;
        }

        Experiment? experiment = null;
        int planned = RunCommand.RunScript(request.Script, request.Args, request.OutputDirectory,
            new ExperimentSweep(SweepStep.Plan, Planned: e => experiment ??= e), TextWriter.Null, error, cancellationToken);
        if (planned != ExitCodes.Success) return planned;
        if (experiment is null)
        {
            error.WriteLine($"alignlab sweep: {request.Script} runs no experiment (no Experiment.Run() was reached), so it has no rows to sweep.");
            return ExitCodes.InvalidInput;
        }
        var keys = experiment.MethodSpecs.Select(m => m.Key(experiment.Seed)).ToList();

        string runId, runFolder;
        SweepManifest sweep;
        IReadOnlyList<string> todo;
        try
        {
            if (request.Resume is not null)
            {
                using var run = experiment.AttachSweepRun(request.Resume.RunId);
                (runId, runFolder, sweep) = (run.Id, run.Folder, SweepManifest.Read(run.Folder));
                var rows = SweepStatus.Rows(runFolder, sweep);
                todo = [.. rows.Where(r => r.State is SweepRowState.Failed or SweepRowState.Missing).Select(r => r.Key)];
                if (todo.Count == 0)
                {
                    output.WriteLine($"run {runId}: no failed or missing rows to rerun ({Counts(rows)}).");
                    return ExitCodes.Success;
                }
            }
            else
            {
                sweep = new SweepManifest(Path.GetFullPath(request.Script), request.Args,
                    request.OutputDirectory is null ? null : Path.GetFullPath(request.OutputDirectory), Environment.CurrentDirectory, keys, []);
                todo = keys;
                if (request.DryRun)
                {
                    (runId, runFolder) = (DryRunId, Path.Combine(experiment.OpenRunStore().Root, DryRunId));
                }
                else
                {
                    using var run = experiment.OpenRunStore().StartRun(experiment.Name, experiment.Seed, experiment, detached: true);
                    (runId, runFolder) = (run.Id, run.Folder);
                    sweep.Write(runFolder);
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or Engine.Checkpoints.IncompatibleResumeException)
        {
            error.WriteLine($"alignlab sweep: {UserMessages.Of(e)}");
            return ExitCodes.Failure;
        }

        return request.Slurm
            ? SubmitToSlurm(request, experiment.Name, sweep, runId, runFolder, todo, output, error)
            : RunHere(request, experiment, sweep, runId, runFolder, todo, output, error, cancellationToken);
    }

    /// <summary>The run id a dry run prints in place of the one a real submission creates.</summary>
    public const string DryRunId = "NEW_RUN_ID";

    private static int SubmitToSlurm(SweepRequest request, string experimentName, SweepManifest sweep, string runId, string runFolder,
        IReadOnlyList<string> todo, TextWriter output, TextWriter error)
    {
        var options = request.Options with { CpusPerTask = request.Options.CpusPerTask ?? 1 };
        var text = SbatchScript.Render(sweep, experimentName, runId, runFolder, todo, options);
        if (request.DryRun)
        {
            output.Write(text);
            return ExitCodes.Success;
        }
        Directory.CreateDirectory(Path.Combine(runFolder, SweepManifest.LogsFolder));
        var path = Path.Combine(runFolder, $"sweep-{sweep.Submissions.Count + 1}.sbatch");
        AtomicFile.WriteAllText(path, text);
        string job;
        try
        {
            job = Slurm.Submit(path);
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine($"alignlab sweep: {e.Message} (job script: {path})");
            return ExitCodes.Failure;
        }
        (sweep with { Submissions = [.. sweep.Submissions, new SweepSubmission(DateTimeOffset.UtcNow, job, todo, options)] }).Write(runFolder);
        output.WriteLine($"submitted {todo.Count} of {sweep.Rows.Count} rows of experiment '{experimentName}' as Slurm job {job} "
            + $"(array 0-{todo.Count - 1}{(options.MaxParallel is { } k ? $"%{k}" : "")})");
        output.WriteLine($"run:      {runId}");
        output.WriteLine($"results:  {Path.Combine(runFolder, RowStore.FolderName)} (row logs in {Path.Combine(runFolder, SweepManifest.LogsFolder)})");
        output.WriteLine($"progress: alignlab sweep status {runId}");
        output.WriteLine($"gather:   alignlab sweep collect {runId}");
        return ExitCodes.Success;
    }

    private static int RunHere(SweepRequest request, Experiment experiment, SweepManifest sweep, string runId, string runFolder, IReadOnlyList<string> todo,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        int parallel = Math.Min(request.Options.MaxParallel ?? Environment.ProcessorCount, todo.Count);
        int threads = request.Options.CpusPerTask ?? Math.Max(1, Environment.ProcessorCount / parallel);
        if (request.DryRun)
        {
            output.WriteLine($"# {todo.Count} rows, {parallel} at a time, {threads} thread(s) each; logs in {Path.Combine(runFolder, SweepManifest.LogsFolder)}");
            foreach (var key in todo) output.WriteLine(string.Join(' ', sweep.RowCommand(runId, key).Select(ScriptOutcome.Quote)));
            return ExitCodes.Success;
        }
        sweep = sweep with { Submissions = [.. sweep.Submissions, new SweepSubmission(DateTimeOffset.UtcNow, null, todo)] };
        sweep.Write(runFolder);
        output.WriteLine($"run {runId}: {todo.Count} of {sweep.Rows.Count} rows, {parallel} at a time with {threads} thread(s) each");
        // Rows starting together would each pretrain a missing base; pretrain it once here.
        if (parallel > 1) experiment.PrepareBase();
        IReadOnlyList<string> failed;
        try
        {
            failed = LocalSweep.Run(sweep, runId, runFolder, todo, parallel, threads, request.Options.GpusPerTask, output, cancellationToken);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"alignlab sweep: {UserMessages.Of(e)}");
            return ExitCodes.InvalidInput;
        }
        if (cancellationToken.IsCancellationRequested) return ScriptOutcome.ReportCancelled(error);
        int collected = new RowStore(runFolder).FinishedKeys().Count > 0 ? Collect(runFolder, runId, sweep, output, error, cancellationToken) : ExitCodes.Failure;
        if (failed.Count == 0) return collected;
        error.WriteLine($"alignlab sweep: {failed.Count} of {todo.Count} rows failed ({string.Join(", ", failed)}); rerun them with: {RerunCommand(sweep, runId, slurm: null)}");
        return ExitCodes.Failure;
    }

    /// <summary>
    /// Writes where each row of sweep run <paramref name="run"/> stands (<see cref="SweepStatus"/>), the last lines of
    /// each failed row's log, and the command that reruns the failed and missing rows.
    /// </summary>
    public static int Status(string run, string? root, TextWriter output, TextWriter error)
    {
        if (Open(run, root, "status", error) is not var (runId, runFolder, sweep)) return ExitCodes.Failure;
        var rows = SweepStatus.Rows(runFolder, sweep);
        output.WriteLine($"run {runId}: {Counts(rows)}");
        output.Write(ResultTable.FromRows([.. rows.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["row"] = r.Key, ["state"] = r.State.ToString().ToLowerInvariant(), ["detail"] = r.Detail,
        })]).ToText());
        if (sweep.Submissions.Any(s => s.SlurmJob is not null) && !Slurm.IsInstalled("squeue"))
            output.WriteLine("note: squeue is not on the PATH here, so the Slurm queue was not asked; run this on the cluster to see pending tasks.");
        foreach (var failed in rows.Where(r => r.State == SweepRowState.Failed))
        {
            output.WriteLine($"{failed.Key} failed; last lines of {failed.LogPath}:");
            foreach (var line in SweepStatus.LastLines(failed.LogPath)) output.WriteLine($"    {line}");
        }
        if (rows.Any(r => r.State is SweepRowState.Failed or SweepRowState.Missing))
            output.WriteLine($"rerun failed and missing rows: {RerunCommand(sweep, runId, sweep.Submissions.LastOrDefault()?.Slurm)}");
        else if (rows.All(r => r.State == SweepRowState.Done))
            output.WriteLine($"all rows done; gather them with: alignlab sweep collect {runId}");
        return ExitCodes.Success;
    }

    /// <summary>
    /// Runs the sweep's script with its first experiment collecting run <paramref name="run"/>
    /// (<see cref="SweepStep.Collect"/>: table and chart over the finished rows, written to the run) and prints the table.
    /// </summary>
    public static int Collect(string run, string? root, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (Open(run, root, "collect", error) is not var (runId, runFolder, sweep)) return ExitCodes.Failure;
        if (RunStore.Open(Path.GetDirectoryName(runFolder)!).Load(runId) is { Manifest.Status: RunStatus.Completed, Table: { } table })
        {
            // Collected with every row before: the run is closed, so show what it holds.
            output.WriteLine($"run {runId} was collected with all {sweep.Rows.Count} rows:");
            output.Write(table.ToText());
            return ExitCodes.Success;
        }
        if (new RowStore(runFolder).FinishedKeys().Count == 0)
        {
            error.WriteLine($"alignlab sweep collect: run {runId} has no finished rows yet (alignlab sweep status {runId} shows where they stand).");
            return ExitCodes.Failure;
        }
        return Collect(runFolder, runId, sweep, output, error, cancellationToken);
    }

    private static int Collect(string runFolder, string runId, SweepManifest sweep, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        int exit = RunCommand.RunScript(sweep.Script, sweep.Args, sweep.OutputDirectory, new ExperimentSweep(SweepStep.Collect, runId), output, error, cancellationToken);
        if (exit != ExitCodes.Success) return exit;
        var table = Path.Combine(runFolder, RunWriter.TableJsonFile);
        output.Write(ResultTable.ParseJson(File.ReadAllText(table)).ToText());
        output.WriteLine($"table: {Path.Combine(runFolder, RunWriter.TableCsvFile)}");
        output.WriteLine($"chart: {Path.Combine(runFolder, RunWriter.ChartsFolder, "frontier.html")}");
        return ExitCodes.Success;
    }

    private static (string RunId, string RunFolder, SweepManifest Sweep)? Open(string run, string? root, string verb, TextWriter error)
    {
        try
        {
            var store = root is null ? RunStore.OpenDefault() : RunStore.Open(root);
            var runId = store.Resolve(run);
            var folder = Path.Combine(store.Root, runId);
            return (runId, folder, SweepManifest.Read(folder));
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException)
        {
            error.WriteLine($"alignlab sweep {verb}: {UserMessages.Of(e)}");
            return null;
        }
    }

    /// <summary>The first thing wrong with the request's options, or null.</summary>
    private static string? Problem(SweepRequest request)
    {
        var options = request.Options;
        if (options.MaxParallel is < 1) return $"--max-parallel must be at least 1 (got {options.MaxParallel}).";
        if (options.CpusPerTask is < 1) return $"--cpus-per-task must be at least 1 (got {options.CpusPerTask}).";
        if (options.GpusPerTask < 0) return $"--gpus-per-task must be 0 or more (got {options.GpusPerTask}).";
        if (!request.Slurm && (options.Partition ?? options.Time ?? options.Memory) is not null)
            return $"{(options.Partition is not null ? "--partition" : options.Time is not null ? "--time" : "--mem")} is a Slurm request; add --slurm, or leave it out to run here.";
        if (options.Time is { } time && !SlurmTime().IsMatch(time))
            return $"--time must be a Slurm time limit such as 00:30:00, 90 (minutes) or 1-12:00:00 (got '{time}').";
        if (options.Memory is { } memory && !SlurmMemory().IsMatch(memory))
            return $"--mem must be a size such as 4G, 500M or 16000 (megabytes) (got '{memory}').";
        if (options.Partition is { } partition && (partition.Length == 0 || partition.Any(char.IsWhiteSpace)))
            return $"--partition must be a partition name (got '{partition}').";
        return null;
    }

    // Slurm's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S.
    [GeneratedRegex(@"^(\d+-\d{1,2}(:\d{1,2}){0,2}|\d+(:\d{1,2}){0,2})$")]
    private static partial Regex SlurmTime();

    [GeneratedRegex(@"^\d+[KMGT]?$")]
    private static partial Regex SlurmMemory();

    private static string Counts(IReadOnlyList<SweepRow> rows) =>
        string.Join(", ", Enum.GetValues<SweepRowState>().Select(s => $"{rows.Count(r => r.State == s)} {s.ToString().ToLowerInvariant()}"))
        + $" of {rows.Count} rows";

    /// <summary>The command that reruns the failed and missing rows, with the last submission's Slurm resources (<paramref name="slurm"/>; null: locally).</summary>
    private static string RerunCommand(SweepManifest sweep, string runId, SlurmOptions? slurm)
    {
        var words = new List<string> { "alignlab", "sweep", sweep.Script };
        foreach (var (name, value) in sweep.Args) words.AddRange(["--set", $"{name}={value}"]);
        if (sweep.OutputDirectory is not null) words.AddRange(["--out", sweep.OutputDirectory]);
        words.AddRange(["--resume", runId]);
        if (slurm is not null)
        {
            words.Add("--slurm");
            if (slurm.Partition is not null) words.AddRange(["--partition", slurm.Partition]);
            if (slurm.Time is not null) words.AddRange(["--time", slurm.Time]);
            if (slurm.Memory is not null) words.AddRange(["--mem", slurm.Memory]);
            if (slurm.CpusPerTask is { } cpus) words.AddRange(["--cpus-per-task", cpus.ToString(CultureInfo.InvariantCulture)]);
            if (slurm.GpusPerTask > 0) words.AddRange(["--gpus-per-task", slurm.GpusPerTask.ToString(CultureInfo.InvariantCulture)]);
            if (slurm.MaxParallel is { } k) words.AddRange(["--max-parallel", k.ToString(CultureInfo.InvariantCulture)]);
        }
        return string.Join(' ', words.Select(ScriptOutcome.Quote));
    }
}
