using AlignLab.Engine.Datasets;

namespace AlignLab.Dsl;

/// <summary>
/// How <see cref="RewardModels.TrainBradleyTerry(string, string, string, BradleyTerryOptions?, IProgress{string}?, Action{AlignLab.Engine.Training.TrainingProgress}?)"/>
/// trains a reward model r_φ by Bradley–Terry, L(φ) = −mean log σ(r_φ(x, y_w) − r_φ(x, y_l)) (THEORY.md §7), with AdamW.
/// </summary>
/// <param name="Steps">Optimiser steps (default 1000).</param>
/// <param name="LearningRate">AdamW learning rate, constant after <see cref="WarmupSteps"/> (default 1e-5, usual for fine-tuning a pretrained trunk).</param>
/// <param name="BatchSize">Preference pairs per step, drawn uniformly with replacement (default 16).</param>
/// <param name="Seed">Seeds the score head's initialisation, the held-out split and the batches (default 0).</param>
/// <param name="ValidationFraction">Fraction of the distinct prompts held out, with all their pairs, to measure pairwise accuracy (default 0.1; 0: none).</param>
/// <param name="WarmupSteps">Linear learning-rate warm-up steps (default 0).</param>
/// <param name="LogEvery">Steps between progress reports (default 10).</param>
/// <param name="Device">Where the base folder's model is trained: cpu, cuda or cuda:N (null: cuda when available, else cpu). A model given in memory trains where it is.</param>
/// <param name="Dataset">Field names and the bad-row policy of a preference file (null: <c>prompt</c>/<c>chosen</c>/<c>rejected</c>, stop at a bad row).</param>
public sealed record BradleyTerryOptions(
    int Steps = 1000,
    double LearningRate = 1e-5,
    int BatchSize = 16,
    long Seed = 0,
    double ValidationFraction = 0.1,
    int WarmupSteps = 0,
    int LogEvery = 10,
    string? Device = null,
    DatasetOptions? Dataset = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this.</summary>
    public BradleyTerryOptions Validate()
    {
        if (Steps < 1) throw new ArgumentException($"steps must be >= 1 (got {Steps}).", nameof(Steps));
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"learning rate must be > 0 and finite (got {LearningRate}).", nameof(LearningRate));
        if (BatchSize < 1) throw new ArgumentException($"batch size must be >= 1 (got {BatchSize}).", nameof(BatchSize));
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw new ArgumentException($"validation fraction must be in [0, 1) (got {ValidationFraction}).", nameof(ValidationFraction));
        if (WarmupSteps < 0) throw new ArgumentException($"warm-up steps must be >= 0 (got {WarmupSteps}).", nameof(WarmupSteps));
        if (LogEvery < 1) throw new ArgumentException($"log-every must be >= 1 (got {LogEvery}).", nameof(LogEvery));
        return this;
    }
}
