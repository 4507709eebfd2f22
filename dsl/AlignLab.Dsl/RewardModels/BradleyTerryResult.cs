using AlignLab.Engine.Estimation;

namespace AlignLab.Dsl;

/// <summary>
/// What <see cref="RewardModels.TrainBradleyTerry(string, string, string, BradleyTerryOptions?, IProgress{string}?, Action{AlignLab.Engine.Training.TrainingProgress}?)"/>
/// wrote: the reward model folder, its held-out pairwise accuracy ± standard error (null when nothing was held out),
/// the pair counts and the final training loss.
/// </summary>
public sealed record BradleyTerryResult(string Folder, Estimate? HeldOutAccuracy, int TrainPairs, int ValidationPairs, double FinalLoss);
