using System.Diagnostics;
using AlignLab.Dsl.Progress;
using AlignLab.Engine.Training;

namespace AlignLab.Dsl;

/// <summary>
/// Trains one row's method with the shared <see cref="Trainer"/> at the experiment's settings — the scale's steps,
/// learning rate, warm-up and logging (a method's own steps and learning rate first), the experiment's gradient
/// accumulation and seed — checkpointing into the row's folder (so an interrupted row continues there), with console
/// progress and the row's metrics named after it. The same for toy and real rows.
/// </summary>
internal static class RowTraining
{
    /// <summary>
    /// What training gave: steps, last logged loss, wall time, and for BoNBoN under the authors' rule the α it chose
    /// (from the first batch; NaN otherwise).
    /// </summary>
    public sealed record Outcome(int Steps, double Loss, double Seconds, double RuleAlpha = double.NaN);

    /// <summary>Trains <paramref name="method"/> (its module already in the mode it trains in) for the row of <paramref name="spec"/>.</summary>
    public static Outcome Run(Experiment experiment, MethodSpec spec, IAlignmentMethod method, Action<long, IReadOnlyDictionary<string, double>>? log,
        string checkpointFolder, bool allowConfigChange, CancellationToken cancellationToken)
    {
        var scale = experiment.Scale;
        int steps = spec.Steps > 0 ? spec.Steps : scale.Steps;
        var trainer = new Trainer(new TrainerConfig(Steps: steps, LearningRate: spec.LearningRate > 0 ? spec.LearningRate : scale.LearningRate,
            WarmupSteps: Math.Min(scale.WarmupSteps, steps - 1), GradientAccumulation: experiment.GradientAccumulation,
            LogEvery: Math.Min(scale.LogEvery, steps), Seed: experiment.Seed,
            CheckpointEvery: experiment.CheckpointIntervalFor(steps), CheckpointDirectory: checkpointFolder, AllowConfigChange: allowConfigChange,
            MetricsPath: log is null ? Path.Combine(checkpointFolder, ExperimentRunner.RowMetricsFile) : null,
            TensorBoardDirectory: log is null ? Path.Combine(checkpointFolder, TensorBoardLog.FolderName) : null));
        var reporter = experiment.ShowProgress ? ProgressReporter.ForConsole(new ProgressOptions(Label: spec.DisplayName)) : null;
        var clock = Stopwatch.StartNew();
        TrainingResult result;
        try
        {
            result = trainer.Run(method, p =>
            {
                reporter?.Report(p);
                if (log is null) return;
                var values = new Dictionary<string, double>(StringComparer.Ordinal) { [$"{spec.DisplayName}/loss"] = p.Loss };
                foreach (var (name, value) in p.Metrics) values[$"{spec.DisplayName}/{name}"] = value;
                log(p.Step, values);
            }, cancellationToken: cancellationToken);
        }
        finally
        {
            // Also on Ctrl-C, so the message that follows starts on its own line.
            reporter?.Finish();
        }
        double ruleAlpha = spec.AlphaByRule && result.Last.Metrics.TryGetValue("alpha", out var alpha) ? alpha : double.NaN;
        return new Outcome(result.Steps, result.Last.Loss, clock.Elapsed.TotalSeconds, ruleAlpha);
    }
}
