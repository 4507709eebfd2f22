using System.Globalization;
using System.Text;
using AlignLab.Engine.Training;

namespace AlignLab.Dsl.Progress;

/// <summary>
/// Shows a training run's progress (step, loss, metrics, elapsed time, ETA) from the engine's <see cref="TrainingProgress"/>
/// records: pass <see cref="Report"/> as the trainer's progress callback. On an interactive terminal one line is
/// rewritten in place; when output is redirected or in CI it writes plain lines, a few per run, that read well in logs.
/// All timing comes from <see cref="TrainingProgress.Elapsed"/>, so the output depends only on the records.
/// </summary>
public sealed class ProgressReporter
{
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter output;
    private readonly object gate = new();
    private TrainingProgress? first;
    private TimeSpan? lastWritten;
    private long lastBucket = -1;
    private int lastLength;
    private bool lineOpen;

    /// <summary>Creates a reporter writing to <paramref name="output"/> in <paramref name="mode"/>.</summary>
    public ProgressReporter(TextWriter output, ProgressMode mode, ProgressOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (mode is not (ProgressMode.Interactive or ProgressMode.Lines)) throw new ArgumentException($"mode = {mode} is not a ProgressMode.", nameof(mode));
        this.output = output;
        Mode = mode;
        Options = (options ?? new ProgressOptions()).Validate();
    }

    /// <summary>The mode in use.</summary>
    public ProgressMode Mode { get; }

    /// <summary>The options in use.</summary>
    public ProgressOptions Options { get; }

    /// <summary>
    /// A reporter on standard error, interactive only when it is a terminal and not CI (<see cref="DetectMode"/>);
    /// interactive lines are cut to the terminal width unless <see cref="ProgressOptions.MaxLineWidth"/> is set.
    /// </summary>
    public static ProgressReporter ForConsole(ProgressOptions? options = null)
    {
        options ??= new ProgressOptions();
        var mode = DetectMode(Console.IsErrorRedirected, Environment.GetEnvironmentVariable);
        if (mode == ProgressMode.Interactive && options.MaxLineWidth == 0)
        {
            // The last column is left free: writing into it makes some terminals wrap.
            try { options = options with { MaxLineWidth = Math.Max(0, Console.WindowWidth - 1) }; }
            catch (IOException) { }
            catch (PlatformNotSupportedException) { }
        }
        return new ProgressReporter(Console.Error, mode, options);
    }

    /// <summary>
    /// <see cref="ProgressMode.Lines"/> when <paramref name="outputRedirected"/>, when the environment variable <c>CI</c>
    /// is "true" or "1" (GitHub Actions, GitLab and most CI systems set it), or when <c>TERM</c> is "dumb";
    /// otherwise <see cref="ProgressMode.Interactive"/>.
    /// </summary>
    /// <param name="outputRedirected">Whether the output stream is redirected to a file or pipe.</param>
    /// <param name="environment">Reads an environment variable (null when unset), e.g. <c>Environment.GetEnvironmentVariable</c>.</param>
    public static ProgressMode DetectMode(bool outputRedirected, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var ci = environment("CI")?.Trim();
        var isCi = string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase) || ci == "1";
        var dumb = string.Equals(environment("TERM"), "dumb", StringComparison.Ordinal);
        return outputRedirected || isCi || dumb ? ProgressMode.Lines : ProgressMode.Interactive;
    }

    /// <summary>Shows <paramref name="progress"/> if it is due (always for the last step).</summary>
    public void Report(TrainingProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (progress.TotalSteps < 1) throw new ArgumentException($"progress.TotalSteps = {progress.TotalSteps} must be >= 1.", nameof(progress));
        lock (gate)
        {
            first ??= progress;
            var final = progress.Step >= progress.TotalSteps;
            if (Mode == ProgressMode.Interactive)
            {
                if (!final && progress.Elapsed - lastWritten < RedrawInterval) return;
                var line = Format(progress, bar: true);
                if (Options.MaxLineWidth > 0 && line.Length > Options.MaxLineWidth) line = line[..Options.MaxLineWidth];
                // Pad with spaces to erase the rest of a longer previous line.
                output.Write("\r" + line + new string(' ', Math.Max(0, lastLength - line.Length)));
                lastLength = line.Length;
                lineOpen = true;
                if (final) Finish();
            }
            else
            {
                var bucket = (long)Math.Floor(100.0 * progress.Step / progress.TotalSteps / Options.LinePercent);
                var due = final || bucket > lastBucket || !(progress.Elapsed - lastWritten < Options.EffectiveLineInterval);
                if (!due) return;
                output.WriteLine(Format(progress, bar: false));
                lastBucket = bucket;
            }
            output.Flush();
            lastWritten = progress.Elapsed;
        }
    }

    /// <summary>Ends the interactive line with a newline (done automatically after the last step); no effect in line mode.</summary>
    public void Finish()
    {
        lock (gate)
        {
            if (!lineOpen) return;
            output.WriteLine();
            output.Flush();
            lineOpen = false;
            lastLength = 0;
        }
    }

    /// <summary>
    /// Estimated time to finish: the time per step measured since the first record seen (or since the start, when only
    /// one record has been seen) times the steps left; null before any step has taken time.
    /// </summary>
    public TimeSpan? EstimateRemaining(TrainingProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var origin = first is not null && first.Step < progress.Step ? first : null;
        var steps = origin is null ? progress.Step : progress.Step - origin.Step;
        var time = origin is null ? progress.Elapsed : progress.Elapsed - origin.Elapsed;
        if (steps <= 0 || time <= TimeSpan.Zero) return null;
        return TimeSpan.FromTicks((long)(time.Ticks / (double)steps * Math.Max(0, progress.TotalSteps - progress.Step)));
    }

    private string Format(TrainingProgress p, bool bar)
    {
        var text = new StringBuilder();
        var fraction = Math.Clamp((double)p.Step / p.TotalSteps, 0, 1);
        if (Options.Label.Length > 0) text.Append(Options.Label).Append("  ");
        if (bar && Options.BarWidth > 0)
        {
            var filled = (int)Math.Round(fraction * Options.BarWidth);
            text.Append('[').Append('#', filled).Append('.', Options.BarWidth - filled).Append("]  ");
        }
        var width = p.TotalSteps.ToString(CultureInfo.InvariantCulture).Length;
        text.Append(CultureInfo.InvariantCulture, $"step {p.Step.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{p.TotalSteps} ({fraction * 100,3:0}%)");
        text.Append("  loss ").Append(Number(p.Loss));
        var names = Options.Metrics ?? p.Metrics.Keys.Order(StringComparer.Ordinal).ToArray();
        foreach (var name in names)
            if (p.Metrics.TryGetValue(name, out var value)) text.Append("  ").Append(name).Append(' ').Append(Number(value));
        text.Append("  elapsed ").Append(Duration(p.Elapsed));
        var eta = EstimateRemaining(p);
        text.Append("  ETA ").Append(eta is null ? "?" : Duration(eta.Value));
        return text.ToString();
    }

    private static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}"
        : $"{span.Minutes}:{span.Seconds:00}";
}
