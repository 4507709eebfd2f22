namespace AlignLab.Engine.Training;

/// <summary>
/// A progress report of the training loop, emitted every <see cref="TrainerConfig.LogEvery"/> steps: the step just
/// finished (1-based) of <see cref="TotalSteps"/>, its loss, its metrics (method metrics, "lr", "grad_norm" and, on
/// evaluation steps, "eval.*"), and the wall time since this run (or resume) started.
/// </summary>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, IReadOnlyDictionary<string, double> Metrics, TimeSpan Elapsed);
