namespace AlignLab.Dsl.Progress;

/// <summary>Settings of a <see cref="ProgressReporter"/>; the defaults suit a training run of minutes to hours.</summary>
/// <param name="Label">Shown at the start of each line, e.g. the method name. Default "train".</param>
/// <param name="LinePercent">In <see cref="ProgressMode.Lines"/>, write a line each time progress crosses a multiple of this percentage. Default 10.</param>
/// <param name="LineInterval">In <see cref="ProgressMode.Lines"/>, also write a line when this much (training) time has passed since the last one. Default 30 s.</param>
/// <param name="Metrics">Names of the metrics to show after the loss, in order; null shows all, sorted by name. Default null.</param>
/// <param name="BarWidth">Width of the bar in <see cref="ProgressMode.Interactive"/> (0 for none). Default 20.</param>
/// <param name="MaxLineWidth">In <see cref="ProgressMode.Interactive"/>, cut the line to this many characters so it never wraps (a wrapped line cannot be rewritten in place); 0 = no limit. Default 0; <see cref="ProgressReporter.ForConsole"/> uses the terminal width.</param>
public sealed record ProgressOptions(
    string Label = "train",
    double LinePercent = 10,
    TimeSpan? LineInterval = null,
    IReadOnlyList<string>? Metrics = null,
    int BarWidth = 20,
    int MaxLineWidth = 0)
{
    /// <summary><see cref="LineInterval"/> with its default (30 s) applied.</summary>
    public TimeSpan EffectiveLineInterval => LineInterval ?? TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public ProgressOptions Validate()
    {
        if (Label is null) throw new ArgumentException("Label must not be null.", nameof(Label));
        if (!(LinePercent > 0 && LinePercent <= 100)) throw new ArgumentException($"LinePercent must be in (0, 100] (got {LinePercent}).", nameof(LinePercent));
        if (EffectiveLineInterval <= TimeSpan.Zero) throw new ArgumentException($"LineInterval must be positive (got {EffectiveLineInterval}).", nameof(LineInterval));
        if (BarWidth < 0) throw new ArgumentException($"BarWidth must be >= 0 (got {BarWidth}).", nameof(BarWidth));
        if (MaxLineWidth < 0) throw new ArgumentException($"MaxLineWidth must be >= 0, 0 meaning no limit (got {MaxLineWidth}).", nameof(MaxLineWidth));
        return this;
    }
}
