using AlignLab.Dsl.Scripting;
using AlignLab.Engine.Runtime;
using AlignLab.Models.Lora;
using static TorchSharp.torch;

namespace AlignLab.Dsl;

/// <summary>
/// A fluent, immutable description of an alignment experiment: a task, the methods to compare, the metrics to report
/// and the analytic frontiers to draw; every call returns a new copy, so partial experiments can be reused.
/// <code>
/// Experiment.Named("bonbon-vs-dpo").On(Tasks.ToyLanguage(seed: 1))
///     .Compare(Methods.BonBon(n: 8, alpha: 0.1), Methods.Dpo(beta: 0.1), Methods.BestOfN(8))
///     .Evaluate(Metrics.WinRate, Metrics.Kl).WithFrontiers(Frontier.BestOfN, Frontier.Optimal)
///     .Run();
/// </code>
/// <see cref="Run()"/> validates the whole plan first (<see cref="Validate"/>), then trains each method with the shared
/// trainer, evaluates it exactly by enumeration, computes the frontiers and writes a run folder. On a real task
/// (<c>.On(Tasks.Real(policy, reward, prompts))</c>) the same run evaluates by Monte-Carlo on held-out prompts, every
/// figure with its standard error, and trains full models or LoRA adapters (<see cref="WithLora"/>).
/// Defaults: the toy language task, the metrics of <see cref="Metrics.Default"/>, no frontiers, seed 0,
/// <see cref="ExperimentScale.Default"/>, the run store of <see cref="Results.RunStore.OpenDefault"/>, progress shown,
/// and the compute of <see cref="ComputeOptions"/>'s defaults (cuda when available else cpu, float32). Every tensor
/// and model of the run (task, base, policies, pair sources, trainer, exact evaluation) lives on that one device.
/// </summary>
public sealed record Experiment
{
    private Experiment(string name) => Name = name;

    /// <summary>The experiment's name (the run's name in the run store).</summary>
    public string Name { get; init; }

    /// <summary>The toy task (default <see cref="Tasks.ToyLanguage"/> with its defaults); unused when <see cref="RealTask"/> is set.</summary>
    public TaskSpec Task { get; init; } = Tasks.ToyLanguage();

    /// <summary>
    /// The task on real models (<see cref="Tasks.Real"/>), or null (default) for the toy <see cref="Task"/>. A real task is
    /// evaluated by Monte-Carlo with standard errors instead of by enumeration.
    /// </summary>
    public RealTaskSpec? RealTask { get; init; }

    /// <summary>True when the experiment runs on a real task (<see cref="RealTask"/>).</summary>
    public bool IsReal => RealTask is not null;

    /// <summary>The name of the task in use, for tables and logs.</summary>
    public string TaskName => RealTask?.Name ?? Task.Name;

    /// <summary>
    /// LoRA adapters of every trained policy of a real task (null, default: full fine-tuning). With LoRA the reference is
    /// the same model with its adapters switched off (<see cref="AdaptersOffPolicy"/>: no second copy of the weights) and
    /// each row saves its adapters in PEFT's layout; without, the reference is a frozen second copy and each row saves
    /// the whole policy as a Hugging Face folder.
    /// </summary>
    public LoraConfig? Lora { get; init; }

    /// <summary>Micro-batches whose gradients are averaged per optimiser step (default 1): an effective batch k times the scale's.</summary>
    public int GradientAccumulation { get; init; } = 1;

    /// <summary>The methods compared, one result row each, in order.</summary>
    public IReadOnlyList<MethodSpec> MethodSpecs { get; init; } = [];

    /// <summary>The metrics reported; empty means <see cref="Metrics.Default"/>.</summary>
    public IReadOnlyList<MetricSpec> MetricSpecs { get; init; } = [];

    /// <summary>The analytic frontiers drawn beside the results.</summary>
    public IReadOnlyList<FrontierSpec> FrontierSpecs { get; init; } = [];

    /// <summary>Seed of every training run (the same for all methods, so pair methods see the same pairs); default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Device of the run: "cpu", "cuda", "cuda:1", … or null (default) for cuda when available, else cpu.</summary>
    public string? Device { get; init; }

    /// <summary>Floating-point dtype of every model and activation of the run (default float32).</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>CPU threads torch uses during the run; 0 (default) keeps torch's own choice.</summary>
    public int Threads { get; init; }

    /// <summary>The compute options the run's <see cref="ComputeContext"/> is created from: <see cref="Seed"/>, <see cref="Device"/>, <see cref="DType"/>, <see cref="Threads"/>.</summary>
    public ComputeOptions ComputeOptions => new(Seed, Device, DType, Threads);

    /// <summary>Training and model sizes (default <see cref="ExperimentScale.Default"/>).</summary>
    public ExperimentScale Scale { get; init; } = ExperimentScale.Default;

    /// <summary>Run store folder; null uses <see cref="Results.RunStore.OpenDefault"/> (<c>$ALIGNLAB_RUNS</c> or <c>./runs</c>).</summary>
    public string? RunRoot { get; init; }

    /// <summary>Whether training progress is shown on the console (default true).</summary>
    public bool ShowProgress { get; init; } = true;

    /// <summary>Whether each row with a tabular objective also gets that objective's exact optimum (default false: it
    /// costs a minimisation over every response of every prompt, about a minute per row on the toy task).</summary>
    public bool ExactOptima { get; init; }

    /// <summary>
    /// Steps between checkpoints of a trained row (in the run's row store, so an interrupted run resumes mid-row); null
    /// (default) checkpoints rows of at least <see cref="LongRowSteps"/> steps every tenth of their steps, and others only at
    /// their end; 0 only at the end. Ctrl-C always writes one where training stopped.
    /// </summary>
    public int? CheckpointEvery { get; init; }

    /// <summary>Steps from which a row counts as long and is checkpointed by default (100).</summary>
    public const int LongRowSteps = 100;

    /// <summary>The metrics in use: <see cref="MetricSpecs"/>, or <see cref="Metrics.Default"/> when none were named.</summary>
    public IReadOnlyList<MetricSpec> EffectiveMetrics => MetricSpecs.Count == 0 ? Metrics.Default : MetricSpecs;

    /// <summary>Starts an experiment called <paramref name="name"/> (letters, digits, '-', '_' and '.' read best in run ids).</summary>
    public static Experiment Named(string name) =>
        string.IsNullOrWhiteSpace(name) ? throw new ArgumentException($"name must be a non-empty experiment name (got '{name}').", nameof(name)) : new(name);

    /// <summary>This experiment on the toy task <paramref name="task"/>.</summary>
    public Experiment On(TaskSpec task) => this with { Task = task ?? throw new ArgumentNullException(nameof(task)), RealTask = null };

    /// <summary>This experiment on the real task <paramref name="task"/> (<see cref="Tasks.Real"/>).</summary>
    public Experiment On(RealTaskSpec task) => this with { RealTask = task ?? throw new ArgumentNullException(nameof(task)) };

    /// <summary>This experiment training LoRA adapters (<paramref name="config"/>) instead of every weight; see <see cref="Lora"/>.</summary>
    public Experiment WithLora(LoraConfig config) => this with { Lora = config ?? throw new ArgumentNullException(nameof(config)) };

    /// <summary>This experiment accumulating gradients over <paramref name="steps"/> micro-batches per optimiser step (checked by Validate).</summary>
    public Experiment WithGradientAccumulation(int steps) => this with { GradientAccumulation = steps };

    /// <summary>This experiment with <paramref name="methods"/> added to the comparison (in order).</summary>
    public Experiment Compare(params MethodSpec[] methods) => Compare((IEnumerable<MethodSpec>)methods);

    /// <summary>This experiment with <paramref name="methods"/> (a list, a sweep, an F# seq) added to the comparison.</summary>
    public Experiment Compare(IEnumerable<MethodSpec> methods) =>
        this with { MethodSpecs = [.. MethodSpecs, .. NotNull(methods, nameof(methods))] };

    /// <summary>This experiment reporting <paramref name="metrics"/> (added to those already named).</summary>
    public Experiment Evaluate(params MetricSpec[] metrics) => Evaluate((IEnumerable<MetricSpec>)metrics);

    /// <summary>This experiment reporting <paramref name="metrics"/> (added to those already named).</summary>
    public Experiment Evaluate(IEnumerable<MetricSpec> metrics) =>
        this with { MetricSpecs = [.. MetricSpecs, .. NotNull(metrics, nameof(metrics))] };

    /// <summary>This experiment drawing the analytic <paramref name="frontiers"/> beside its results.</summary>
    public Experiment WithFrontiers(params FrontierSpec[] frontiers) => WithFrontiers((IEnumerable<FrontierSpec>)frontiers);

    /// <summary>This experiment drawing the analytic <paramref name="frontiers"/> beside its results.</summary>
    public Experiment WithFrontiers(IEnumerable<FrontierSpec> frontiers) =>
        this with { FrontierSpecs = [.. FrontierSpecs, .. NotNull(frontiers, nameof(frontiers))] };

    /// <summary>This experiment with seed <paramref name="seed"/>.</summary>
    public Experiment WithSeed(long seed) => this with { Seed = seed };

    /// <summary>This experiment on <paramref name="device"/> ("cpu", "cuda", "cuda:1"; null: cuda when available, else cpu).</summary>
    public Experiment OnDevice(string? device) => this with { Device = device };

    /// <summary>This experiment with every model and activation in <paramref name="dtype"/> (a floating-point type).</summary>
    public Experiment WithDType(ScalarType dtype) => this with { DType = dtype };

    /// <summary>This experiment with torch using <paramref name="threads"/> CPU threads (0: torch's own choice).</summary>
    public Experiment WithThreads(int threads) => this with { Threads = threads };

    /// <summary>This experiment at scale <paramref name="scale"/>.</summary>
    public Experiment WithScale(ExperimentScale scale) => this with { Scale = scale ?? throw new ArgumentNullException(nameof(scale)) };

    /// <summary>
    /// This experiment at <see cref="ExperimentScale.Quick"/> when <paramref name="quick"/> is true, else unchanged:
    /// <c>.Quick(Arg("quick", false))</c> in a script.
    /// </summary>
    public Experiment Quick(bool quick = true) => quick ? WithScale(ExperimentScale.Quick) : this;

    /// <summary>This experiment writing its run into the run store at <paramref name="root"/>.</summary>
    public Experiment StoreIn(string root) =>
        string.IsNullOrWhiteSpace(root) ? throw new ArgumentException($"root must be a folder path (got '{root}').", nameof(root)) : this with { RunRoot = root };

    /// <summary>
    /// This experiment also minimising, for every row whose method has a tabular objective (SFT-BoN, BoNBoN, IPO-BoN,
    /// IPO on best/worst pairs, vBoN), that objective exactly over all per-prompt policies: the table gains the
    /// optimum's KL, win rate and objective value and the chart marks it, beside where training landed.
    /// </summary>
    public Experiment WithExactOptima(bool on = true) => this with { ExactOptima = on };

    /// <summary>
    /// This experiment checkpointing every trained row every <paramref name="every"/> steps (0: only at the row's end
    /// and at Ctrl-C); see <see cref="CheckpointEvery"/>.
    /// </summary>
    public Experiment WithCheckpoints(int every) => this with { CheckpointEvery = every };

    /// <summary>Steps between checkpoints of a row of <paramref name="steps"/> steps under <see cref="CheckpointEvery"/> (0 = none between).</summary>
    public int CheckpointIntervalFor(int steps) => CheckpointEvery ?? (steps >= LongRowSteps ? (steps + 9) / 10 : 0);

    /// <summary>This experiment with console progress on or off.</summary>
    public Experiment WithProgress(bool show) => this with { ShowProgress = show };

    /// <summary>
    /// Every problem of the plan, one sentence each naming it and what to change; empty when the experiment can run.
    /// Checks the task, each method's parameters (n ≥ 1 or 2, α ∈ [0, 1], β &gt; 0, …), duplicate row names, unknown
    /// metrics and metrics the task cannot give, and that exact evaluation can enumerate the task. Trains nothing.
    /// </summary>
    public IReadOnlyList<string> Validate() => ExperimentValidation.Problems(this);

    /// <summary>
    /// Validates (throwing <see cref="ExperimentValidationException"/> before any training when the plan has problems),
    /// then runs the experiment and writes its run folder; see <see cref="ExperimentResult"/>. Under a script host
    /// (<c>alignlab run</c>) it follows the host: <c>--resume [RUN]</c> continues an earlier run
    /// (<see cref="ScriptContext.Resume"/>) and Ctrl-C stops it (<see cref="ScriptContext.CancellationToken"/>).
    /// </summary>
    /// <remarks>
    /// Under <c>alignlab sweep</c> or <c>alignlab run SCRIPT --row KEY</c> (<see cref="ScriptContext.Sweep"/>) it does
    /// that part of the sweep instead (<see cref="RunSweepStep"/>) and then ends the script with
    /// <see cref="SweepStepDoneException"/>.
    /// </remarks>
    public ExperimentResult Run()
    {
        if (!ScriptContext.HasCurrent) return Run(null, CancellationToken.None);
        var context = ScriptContext.Current;
        if (context.Sweep is null) return Run(context.Resume, context.CancellationToken);
        throw new SweepStepDoneException(RunSweepStep(context.Sweep, context.CancellationToken));
    }

    /// <summary>
    /// Does <paramref name="sweep"/>'s part of this experiment (see <see cref="ExperimentSweep"/>) and says what was done:
    /// hands the validated plan to <see cref="ExperimentSweep.Planned"/>; computes one row into the sweep's run unless its
    /// result is there; or writes the run's table and chart over its finished rows (completing the run when every row is
    /// there). Invalid plans throw <see cref="ExperimentValidationException"/>, an unknown row key <see cref="UnknownRowException"/>.
    /// </summary>
    public string RunSweepStep(ExperimentSweep sweep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var problems = Validate();
        if (problems.Count > 0) throw new ExperimentValidationException(Name, problems);
        return sweep.Step switch
        {
            SweepStep.Plan => Planned(sweep),
            SweepStep.Row => ExperimentRunner.RunRow(this, sweep.RunId, sweep.RowKey ?? throw new ArgumentException("a row step needs RowKey.", nameof(sweep)), cancellationToken),
            SweepStep.Collect => ExperimentRunner.Collect(this, sweep.RunId),
            _ => throw new ArgumentOutOfRangeException(nameof(sweep), sweep.Step, "unknown sweep step"),
        };
    }

    /// <summary>
    /// The run store this experiment writes to: <see cref="RunRoot"/>, else <see cref="Results.RunStore.OpenDefault"/>. A
    /// sweep starts its run there detached (<see cref="Results.RunStore.StartRun"/>): its rows are computed by other
    /// processes (<c>alignlab run SCRIPT --row KEY --resume RUN</c>) and gathered by <see cref="SweepStep.Collect"/>.
    /// </summary>
    public Results.RunStore OpenRunStore() => ExperimentRunner.Store(this);

    /// <summary>
    /// Makes sure the task's pretrained base is in its cache (<see cref="TaskSpec.CacheDirectory"/>), pretraining it when
    /// it is missing, so that processes computing this experiment's rows in parallel load it instead of each pretraining it.
    /// </summary>
    public void PrepareBase() => ExperimentRunner.PrepareBase(this);

    /// <summary>
    /// The sweep run <paramref name="runId"/> of this experiment (null: its latest sweep run), checked to have been
    /// started with this experiment's settings (see <see cref="Results.RunStore.Attach"/>).
    /// </summary>
    public Results.RunWriter AttachSweepRun(string? runId) => ExperimentRunner.AttachSweep(this, runId);

    private string Planned(ExperimentSweep sweep)
    {
        (sweep.Planned ?? throw new ArgumentException("a plan step needs Planned.", nameof(sweep)))(this);
        return $"planned {MethodSpecs.Count} rows of experiment '{Name}'";
    }

    /// <summary>
    /// <see cref="Run()"/>, continuing an earlier run when <paramref name="resume"/> is given (finished rows reused, the
    /// interrupted row continued from its checkpoint; an error naming the first differing setting when the run was made
    /// with another configuration), and stopping at the next step when <paramref name="cancellationToken"/> is signalled:
    /// the run is then marked cancelled and <see cref="ExperimentCancelledException"/> says what was saved.
    /// </summary>
    public ExperimentResult Run(ExperimentResume? resume, CancellationToken cancellationToken)
    {
        var problems = Validate();
        if (problems.Count > 0) throw new ExperimentValidationException(Name, problems);
        return ExperimentRunner.Run(this, resume, cancellationToken);
    }

    private static IEnumerable<T> NotNull<T>(IEnumerable<T> items, string name)
    {
        ArgumentNullException.ThrowIfNull(items, name);
        var list = items.ToList();
        int bad = list.FindIndex(x => x is null);
        if (bad >= 0) throw new ArgumentException($"{name}[{bad}] is null.", name);
        return list;
    }
}
