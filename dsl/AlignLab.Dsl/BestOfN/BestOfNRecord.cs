namespace AlignLab.Dsl;

/// <summary>
/// One sample of a <see cref="BestOfNRecord"/>: its text and token ids (the end-of-sequence token included when
/// <see cref="Finished"/>), its reward r(x, y), log π(y|x) under the policy itself (temperature 1, no filtering:
/// what BoNBoN, DPO and IPO need as reference log-probs), and log q(y|x) under the distribution it was drawn from.
/// </summary>
public sealed record BestOfNSample(string Text, IReadOnlyList<int> Ids, bool Finished, double Reward, double LogProb, double SamplingLogProb);

/// <summary>
/// The n samples of one prompt (<see cref="Index"/> among the dataset's good rows, <see cref="Line"/> in its file),
/// with the indices of the highest and the lowest reward (the first on ties): the best-of-n and worst-of-n responses.
/// </summary>
public sealed record BestOfNRecord(int Index, int Line, string Prompt, IReadOnlyList<BestOfNSample> Samples, int Best, int Worst);
