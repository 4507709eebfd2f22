using AlignLab.Engine.Checkpoints;

namespace AlignLab.Engine.Training;

/// <summary>
/// The outcome of <see cref="Trainer.Run"/>: the last step completed, the step the run resumed from (0 for a fresh
/// start), the last logged progress record (restored from the checkpoint when a resume had no step left to take), and
/// the configuration fields that differ from the checkpoint's when <see cref="TrainerConfig.AllowConfigChange"/> let a
/// resume go ahead anyway (empty otherwise).
/// </summary>
public sealed record TrainingResult(int Steps, int ResumedFromStep, TrainingProgress Last, IReadOnlyList<ConfigDifference> ConfigChanges);
