using System.Globalization;
using AlignLab.Engine.Runtime;

namespace AlignLab.Dsl.Scripting;

/// <summary>
/// What a running experiment script is given by its host (<c>alignlab run</c>, a notebook, or plain <c>dotnet fsi</c>):
/// its arguments (<c>--set key=value</c>), its output folder (<c>--out</c>), a logger and a cancellation token.
/// A <c>.csx</c> script sees the members directly (it is the script's globals object); an <c>.fsx</c> script reads
/// <see cref="Current"/> (or <see cref="ForScript"/>, which also works without a host).
/// </summary>
public sealed class ScriptContext
{
    private static readonly AsyncLocal<ScriptContext?> current = new();
    private readonly Action<string> log;

    /// <summary>Creates a context; <paramref name="outputDirectory"/> is made absolute and created.</summary>
    /// <param name="scriptPath">The script being run (made absolute).</param>
    /// <param name="args">The script's arguments by name (from <c>--set key=value</c>); keys are case-sensitive.</param>
    /// <param name="outputDirectory">Folder the script writes its results to.</param>
    /// <param name="log">Where <see cref="Log"/> sends its lines.</param>
    /// <param name="cancellationToken">Signalled when the user interrupts the run (Ctrl-C).</param>
    public ScriptContext(string scriptPath, IReadOnlyDictionary<string, string> args, string outputDirectory, Action<string> log, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(scriptPath)) throw new ArgumentException($"scriptPath must be a file path (got '{scriptPath}').", nameof(scriptPath));
        if (string.IsNullOrWhiteSpace(outputDirectory)) throw new ArgumentException($"outputDirectory must be a folder path (got '{outputDirectory}').", nameof(outputDirectory));
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(log);
        ScriptPath = Path.GetFullPath(scriptPath);
        Args = new Dictionary<string, string>(args, StringComparer.Ordinal);
        OutputDirectory = Directory.CreateDirectory(outputDirectory).FullName;
        this.log = log;
        CancellationToken = cancellationToken;
    }

    /// <summary>Absolute path of the script being run.</summary>
    public string ScriptPath { get; }

    /// <summary>The script's name without folder and extension (<c>quickstart</c> for <c>scripts/quickstart.csx</c>).</summary>
    public string ScriptName => Path.GetFileNameWithoutExtension(ScriptPath);

    /// <summary>The script's arguments by name, as given with <c>--set key=value</c>.</summary>
    public IReadOnlyDictionary<string, string> Args { get; }

    /// <summary>Absolute path of the folder the script writes to (exists). Default <c>./out/&lt;script name&gt;</c>.</summary>
    public string OutputDirectory { get; }

    /// <summary>
    /// Signalled by the first Ctrl-C. Long loops should check it; <see cref="Experiment.Run()"/> and the trainer's rows
    /// stop at the next step boundary and save a checkpoint.
    /// </summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Set by <c>alignlab run SCRIPT --resume [RUN]</c>: every <see cref="Experiment.Run()"/> of the script continues the
    /// given run (or the latest run of its name) instead of starting a new one. Null (default) starts new runs.
    /// </summary>
    public ExperimentResume? Resume { get; init; }

    /// <summary>
    /// Set by <c>alignlab sweep</c> and <c>alignlab run SCRIPT --row KEY</c>: the script's first
    /// <see cref="Experiment.Run()"/> plans, computes one row of, or collects a sweep instead of running whole (see
    /// <see cref="ExperimentSweep"/>). Null (default) runs experiments whole.
    /// </summary>
    public ExperimentSweep? Sweep { get; init; }

    /// <summary>
    /// The context of the script now running on this logical flow, set by the host (which also makes its
    /// <see cref="CancellationToken"/> the engine's <see cref="AmbientCancellation.Token"/>). Throws
    /// <see cref="InvalidOperationException"/> when no host set one (use <see cref="ForScript"/> to run also without a host).
    /// </summary>
    public static ScriptContext Current
    {
        get => current.Value ?? throw new InvalidOperationException(
            "No script host has set ScriptContext.Current: run the script with `alignlab run`, or use ScriptContext.ForScript(path).");
        set
        {
            current.Value = value ?? throw new ArgumentNullException(nameof(value));
            // Training loops the script runs stop on the script's Ctrl-C even when it passes them no token.
            AmbientCancellation.Token = value.CancellationToken;
        }
    }

    /// <summary>True when a host has set <see cref="Current"/>.</summary>
    public static bool HasCurrent => current.Value is not null;

    /// <summary>
    /// <see cref="Current"/> when a host runs the script; otherwise (e.g. plain <c>dotnet fsi</c>) a context for
    /// <paramref name="scriptPath"/> with no arguments, output folder <c>./out/&lt;script name&gt;</c>, logging to the console.
    /// </summary>
    public static ScriptContext ForScript(string scriptPath) =>
        current.Value ?? new ScriptContext(scriptPath, new Dictionary<string, string>(), DefaultOutputDirectory(scriptPath), Console.WriteLine, CancellationToken.None);

    /// <summary>The default output folder of a script: <c>out/&lt;script name&gt;</c> under the current directory.</summary>
    public static string DefaultOutputDirectory(string scriptPath) =>
        Path.Combine(Directory.GetCurrentDirectory(), "out", Path.GetFileNameWithoutExtension(scriptPath));

    /// <summary>Writes one line to the run's log.</summary>
    public void Log(string message) => log(message);

    /// <summary>
    /// <see cref="Log"/> as an <see cref="IProgress{T}"/> of lines, for library calls that report progress that way
    /// (e.g. <c>ToyModels.ExportHuggingFace(…, log: LogLines)</c>). Synchronous, unlike <see cref="Progress{T}"/>: each line
    /// is written before the call goes on, so lines keep their order.
    /// </summary>
    public IProgress<string> LogLines => new LineLog(log);

    private sealed class LineLog(Action<string> log) : IProgress<string>
    {
        public void Report(string value) => log(value);
    }

    /// <summary>The absolute path of <paramref name="fileName"/> inside <see cref="OutputDirectory"/>.</summary>
    public string OutputPath(string fileName) => Path.Combine(OutputDirectory, fileName);

    /// <summary>True when argument <paramref name="name"/> was given.</summary>
    public bool HasArg(string name) => Args.ContainsKey(name);

    /// <summary>Argument <paramref name="name"/> as text, or <paramref name="defaultValue"/> when not given.</summary>
    public string Arg(string name, string defaultValue) => Args.TryGetValue(name, out var text) ? text : defaultValue;

    /// <summary>Argument <paramref name="name"/> as a number (invariant culture), or <paramref name="defaultValue"/>.</summary>
    public double Arg(string name, double defaultValue) => Arg<double>(name, defaultValue);

    /// <summary>Argument <paramref name="name"/> as an integer, or <paramref name="defaultValue"/>.</summary>
    public int Arg(string name, int defaultValue) => Arg<int>(name, defaultValue);

    /// <summary>Argument <paramref name="name"/> as a boolean (<c>true</c>/<c>false</c>), or <paramref name="defaultValue"/>.</summary>
    public bool Arg(string name, bool defaultValue) => Arg<bool>(name, defaultValue);

    /// <summary>
    /// Argument <paramref name="name"/> parsed as <typeparamref name="T"/> (invariant culture), or
    /// <paramref name="defaultValue"/> when not given. Throws <see cref="ArgumentException"/> naming the argument and its
    /// text when it does not parse.
    /// </summary>
    public T Arg<T>(string name, T defaultValue) where T : IParsable<T>
    {
        if (!Args.TryGetValue(name, out var text)) return defaultValue;
        if (T.TryParse(text, CultureInfo.InvariantCulture, out var value)) return value;
        throw new ArgumentException($"Script argument '{name}' must be a {typeof(T).Name} (got '{text}').", nameof(name));
    }
}
