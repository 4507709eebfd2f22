using AlignLab.Engine.Datasets;

namespace AlignLab.Dsl;

/// <summary>The prompts of a real task as a run splits them (<see cref="RealTaskSpec.SplitPrompts"/>): training and held-out evaluation, each row with its line.</summary>
/// <param name="Train">The training prompts, in split order.</param>
/// <param name="Eval">The held-out evaluation prompts, in split order.</param>
public sealed record PromptSplit(IReadOnlyList<PromptRow> Train, IReadOnlyList<PromptRow> Eval);
