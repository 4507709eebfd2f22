namespace AlignLab.Engine.Training;

/// <summary>
/// The outcome of <see cref="Trainer.Run"/>: the last step completed, the step the run resumed from (0 for a fresh
/// start) and the last logged progress record.
/// </summary>
public sealed record TrainingResult(int Steps, int ResumedFromStep, TrainingProgress Last);
