using AlignLab.Engine.Tasks;

namespace AlignLab.Dsl;

/// <summary>
/// How much compute an <see cref="Experiment"/> spends: the shared training settings of every trained method (a method
/// may override steps and learning rate) and the size of the base model. <see cref="Default"/> is the research setting;
/// <see cref="Quick"/> the small CI setting (a script's <c>--set quick=true</c>).
/// </summary>
/// <param name="Steps">Optimiser steps per trained method (default 300).</param>
/// <param name="LearningRate">Peak AdamW learning rate (default 1e-3), constant after <see cref="WarmupSteps"/>.</param>
/// <param name="WarmupSteps">Linear warm-up steps (default 10).</param>
/// <param name="PairBatchSize">Preference pairs or prompts per step of pair/SFT methods (default 32).</param>
/// <param name="PromptBatchSize">Prompts per step of the policy-gradient methods (vBoN, BOND, RLHF; default 16).</param>
/// <param name="SamplesPerPrompt">Policy samples per prompt k of the RLOO estimators (default 4).</param>
/// <param name="CdfSamples">Base samples M per prompt for vBoN's and BOND's empirical CDF F̂ (default 256).</param>
/// <param name="LogEvery">Steps between progress reports and metric records (default 10).</param>
/// <param name="Base">The base model's shape and pretraining (default <see cref="ToyBaseConfig"/>'s defaults; cached).</param>
public sealed record ExperimentScale(
    int Steps = 300,
    double LearningRate = 1e-3,
    int WarmupSteps = 10,
    int PairBatchSize = 32,
    int PromptBatchSize = 16,
    int SamplesPerPrompt = 4,
    int CdfSamples = 256,
    int LogEvery = 10,
    ToyBaseConfig? Base = null)
{
    /// <summary>The research setting (the record's defaults).</summary>
    public static ExperimentScale Default { get; } = new();

    /// <summary>
    /// The CI setting: 40 steps with a higher learning rate, fewer samples for F̂; same base model as
    /// <see cref="Default"/>, so the cached base is shared.
    /// </summary>
    public static ExperimentScale Quick { get; } = new(Steps: 40, LearningRate: 3e-3, WarmupSteps: 4, PairBatchSize: 32,
        PromptBatchSize: 16, SamplesPerPrompt: 4, CdfSamples: 64, LogEvery: 5);

    /// <summary>This scale with <paramref name="steps"/> training steps per method (a method for F#, where C#'s <c>with</c> is not available).</summary>
    public ExperimentScale WithSteps(int steps) => this with { Steps = steps };

    /// <summary>This scale with peak learning rate <paramref name="learningRate"/>.</summary>
    public ExperimentScale WithLearningRate(double learningRate) => this with { LearningRate = learningRate };

    /// <summary>The base configuration in use: <see cref="Base"/> or the defaults.</summary>
    public ToyBaseConfig EffectiveBase => Base ?? new ToyBaseConfig();
}
