namespace AlignLab.Engine.Training;

/// <summary>
/// Everything the shared training loop (<see cref="Trainer"/>) needs; the defaults train a small model and can be
/// printed and saved with the run.
/// </summary>
/// <param name="Steps">Number of optimiser steps T (default 1000).</param>
/// <param name="LearningRate">Peak learning rate η of the optimiser (default 1e-3).</param>
/// <param name="Beta1">AdamW first-moment decay β₁ (default 0.9).</param>
/// <param name="Beta2">AdamW second-moment decay β₂ (default 0.999).</param>
/// <param name="Epsilon">AdamW ε (default 1e-8).</param>
/// <param name="WeightDecay">Decoupled weight decay λ of AdamW (default 0: the tabular objectives have no prior).</param>
/// <param name="WarmupSteps">Steps of linear warm-up from 0 to η (default 0).</param>
/// <param name="Schedule">Learning-rate shape after warm-up (default constant).</param>
/// <param name="MinLearningRateRatio">Final learning rate as a fraction of η for decaying schedules (default 0).</param>
/// <param name="GradientClip">Maximum global gradient L2 norm; 0 disables clipping (default 1).</param>
/// <param name="GradientAccumulation">Micro-batches whose gradients are averaged per step (default 1).</param>
/// <param name="LogEvery">
/// Steps between metric records (JSONL line + progress callback), default 10: a record reads the loss and metrics back
/// to the host, which waits for the device, so recording every step would stall a GPU run at every step.
/// </param>
/// <param name="EvalEvery">Steps between evaluations (the trainer's evaluate callback); 0 = never (default).</param>
/// <param name="CheckpointEvery">Steps between checkpoints; 0 = never (default).</param>
/// <param name="CheckpointDirectory">Folder of the run's checkpoint file; null = no checkpoints (default).</param>
/// <param name="MetricsPath">JSONL file the per-step metrics are appended to; null = none (default).</param>
/// <param name="TensorBoardDirectory">
/// Folder of TensorBoard event files that get the same records as <see cref="MetricsPath"/> (<see cref="TensorBoardLog"/>;
/// on resume rebuilt, like the JSONL, without the steps logged after the checkpoint); needs <see cref="MetricsPath"/>; null = none (default).
/// </param>
/// <param name="Seed">Seed of the training generator that every batch is drawn from (default 0).</param>
/// <param name="Resume">
/// Continue from the checkpoint in <see cref="CheckpointDirectory"/> when there is one (default true). The checkpoint
/// must have been made with the same settings: a field that changes the trajectory (learning rate, schedule, seed, the
/// method's config, …) differing is an <see cref="Checkpoints.IncompatibleResumeException"/> naming the first such
/// field, and so is a checkpoint already past <see cref="Steps"/> and one trained on other frozen weights (the
/// checkpoint leaves frozen parameters out and keeps a <see cref="Checkpoints.FrozenWeightsFingerprint"/> of them).
/// Logging, evaluation and checkpoint intervals may change, and so may <see cref="Steps"/> under a constant schedule
/// (training longer).
/// </param>
/// <param name="AllowConfigChange">
/// Resume even from a checkpoint made with other settings or on other frozen weights (default false); the differences
/// are returned in <see cref="TrainingResult.ConfigChanges"/> and recorded in every later checkpoint.
/// </param>
/// <param name="Optimizer">
/// The optimiser (default <see cref="OptimizerKind.AdamW"/>); RMSprop uses <see cref="LearningRate"/>, <see cref="Epsilon"/>,
/// <see cref="WeightDecay"/> (coupled, as torch's) and <see cref="RmsPropAlpha"/>, and ignores the β's.
/// </param>
/// <param name="RmsPropAlpha">RMSprop's square-average smoothing constant α (default 0.99, torch's).</param>
public sealed record TrainerConfig(
    int Steps = 1000,
    double LearningRate = 1e-3,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-8,
    double WeightDecay = 0.0,
    int WarmupSteps = 0,
    LearningRateSchedule Schedule = LearningRateSchedule.Constant,
    double MinLearningRateRatio = 0.0,
    double GradientClip = 1.0,
    int GradientAccumulation = 1,
    int LogEvery = 10,
    int EvalEvery = 0,
    int CheckpointEvery = 0,
    string? CheckpointDirectory = null,
    string? MetricsPath = null,
    long Seed = 0,
    bool Resume = true,
    bool AllowConfigChange = false,
    OptimizerKind Optimizer = OptimizerKind.AdamW,
    double RmsPropAlpha = 0.99,
    string? TensorBoardDirectory = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public TrainerConfig Validate()
    {
        if (Steps < 1) throw new ArgumentException($"Steps must be >= 1 (got {Steps}).", nameof(Steps));
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"LearningRate must be > 0 and finite (got {LearningRate}).", nameof(LearningRate));
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentException($"Beta1 must be in [0, 1) (got {Beta1}).", nameof(Beta1));
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentException($"Beta2 must be in [0, 1) (got {Beta2}).", nameof(Beta2));
        if (!(Epsilon > 0)) throw new ArgumentException($"Epsilon must be > 0 (got {Epsilon}).", nameof(Epsilon));
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new ArgumentException($"WeightDecay must be >= 0 and finite (got {WeightDecay}).", nameof(WeightDecay));
        if (WarmupSteps < 0) throw new ArgumentException($"WarmupSteps must be >= 0 (got {WarmupSteps}).", nameof(WarmupSteps));
        if (!(MinLearningRateRatio >= 0 && MinLearningRateRatio <= 1)) throw new ArgumentException($"MinLearningRateRatio must be in [0, 1] (got {MinLearningRateRatio}).", nameof(MinLearningRateRatio));
        if (!(GradientClip >= 0)) throw new ArgumentException($"GradientClip must be >= 0, 0 meaning off (got {GradientClip}).", nameof(GradientClip));
        if (GradientAccumulation < 1) throw new ArgumentException($"GradientAccumulation must be >= 1 (got {GradientAccumulation}).", nameof(GradientAccumulation));
        if (LogEvery < 1) throw new ArgumentException($"LogEvery must be >= 1 (got {LogEvery}).", nameof(LogEvery));
        if (EvalEvery < 0) throw new ArgumentException($"EvalEvery must be >= 0, 0 meaning never (got {EvalEvery}).", nameof(EvalEvery));
        if (CheckpointEvery < 0) throw new ArgumentException($"CheckpointEvery must be >= 0, 0 meaning never (got {CheckpointEvery}).", nameof(CheckpointEvery));
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentException($"Optimizer must be one of {string.Join(", ", Enum.GetNames<OptimizerKind>())} (got {(int)Optimizer}).", nameof(Optimizer));
        if (!(RmsPropAlpha >= 0 && RmsPropAlpha < 1)) throw new ArgumentException($"RmsPropAlpha must be in [0, 1) (got {RmsPropAlpha}).", nameof(RmsPropAlpha));
        if (CheckpointEvery > 0 && string.IsNullOrWhiteSpace(CheckpointDirectory))
            throw new ArgumentException($"CheckpointEvery is {CheckpointEvery} but no CheckpointDirectory is set.", nameof(CheckpointDirectory));
        if (TensorBoardDirectory is not null && string.IsNullOrWhiteSpace(MetricsPath))
            throw new ArgumentException("TensorBoardDirectory is set but MetricsPath is not: the event files mirror the metrics JSONL, which a resume rebuilds them from.", nameof(MetricsPath));
        return this;
    }

    /// <summary>
    /// Learning rate at optimiser step t (1-based): η·t/W during the warm-up t ≤ W, then the <see cref="Schedule"/> from
    /// η at t = W down to <see cref="MinLearningRateRatio"/>·η at t = T.
    /// </summary>
    public double LearningRateAt(int step)
    {
        if (step <= WarmupSteps) return LearningRate * step / Math.Max(1, WarmupSteps);
        var progress = Steps > WarmupSteps ? (double)(step - WarmupSteps) / (Steps - WarmupSteps) : 1.0;
        var floor = MinLearningRateRatio * LearningRate;
        return Schedule switch
        {
            LearningRateSchedule.Constant => LearningRate,
            LearningRateSchedule.Linear => floor + (LearningRate - floor) * (1 - progress),
            LearningRateSchedule.Cosine => floor + (LearningRate - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress)),
            _ => throw new InvalidOperationException($"Unknown schedule {Schedule}."),
        };
    }
}
