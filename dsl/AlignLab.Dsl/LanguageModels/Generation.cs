namespace AlignLab.Dsl;

/// <summary>
/// One sampled continuation of a prompt.
/// </summary>
/// <param name="Prompt">The prompt text.</param>
/// <param name="Sample">Which of the prompt's n samples (0-based).</param>
/// <param name="Ids">The generated token ids, up to and including the end-of-sequence token when it was drawn.</param>
/// <param name="Text">The text they add after the prompt (the end-of-sequence token not written, nor ids the tokenizer has no token for).</param>
/// <param name="LogProb">Σ_t log q(y_t | x, y_&lt;t) under the sampling distribution q (temperature, top-k, top-p applied); with the default options, log π(y|x).</param>
/// <param name="Finished">Whether generation stopped at an end-of-sequence token rather than at the length limit.</param>
public sealed record Generation(string Prompt, int Sample, IReadOnlyList<int> Ids, string Text, double LogProb, bool Finished);
