namespace AlignLab.Dsl;

/// <summary>
/// The settings of <see cref="BonBonFidelity"/>. <see cref="Default"/> is the research setting of docs/scripts.md;
/// <see cref="Quick"/> the CI setting (fewer steps, a smaller dataset, only the rows the verdict compares).
/// </summary>
/// <param name="N">n of best-of-n (default 8).</param>
/// <param name="Seeds">Training seeds; each also draws its own offline dataset (default 0, 1, 2).</param>
/// <param name="FreshSteps">Steps of the fresh-pairs protocol (default 300, as bonbon_vs_baselines).</param>
/// <param name="FreshBatchSize">Pairs per fresh step (default 32).</param>
/// <param name="FreshLearningRate">AdamW peak learning rate (default 1e-3).</param>
/// <param name="FreshWarmup">AdamW warm-up steps (default 10).</param>
/// <param name="PairsPerPrompt">Best/worst pairs per prompt of the fixed dataset (default 200: 6,400 pairs on 32 prompts).</param>
/// <param name="Temperature">Sampling temperature of the fixed dataset's reference samples (default 0.8, the authors').</param>
/// <param name="Epochs">Passes over the fixed dataset E (default 3: 300 steps at batch 64).</param>
/// <param name="OfflineBatchSize">Pairs per offline step (default 64, the authors').</param>
/// <param name="OfflineLearningRate">RMSprop peak learning rate (default 1e-3).</param>
/// <param name="OfflineWarmupFraction">Warm-up as a fraction of the offline steps (default 0.1).</param>
/// <param name="OfflineClip">Offline gradient-norm clip (default 10, the authors').</param>
/// <param name="EvalEvery">
/// k of the trajectory: exact (KL, W) at steps k, 4k, 16k, … and the last (default 25; 0: end points only). Each point
/// enumerates every response of every prompt, so the points are spaced geometrically, dense where training moves fast.
/// </param>
/// <param name="TrajectorySeeds">How many of the seeds record trajectories (default 1: the first; the others only their end point).</param>
/// <param name="AlphaRuleBatch">Pairs of the fresh batch the α rule is computed from (default 512).</param>
/// <param name="Arms">The rows to train; null: <see cref="BonBonFidelity.DefaultArms"/>.</param>
public sealed record BonBonFidelitySettings(
    int N = 8,
    IReadOnlyList<long>? Seeds = null,
    int FreshSteps = 300,
    int FreshBatchSize = 32,
    double FreshLearningRate = 1e-3,
    int FreshWarmup = 10,
    int PairsPerPrompt = 200,
    double Temperature = 0.8,
    int Epochs = 3,
    int OfflineBatchSize = 64,
    double OfflineLearningRate = 1e-3,
    double OfflineWarmupFraction = 0.1,
    double OfflineClip = 10,
    int EvalEvery = 25,
    int TrajectorySeeds = 1,
    int AlphaRuleBatch = 512,
    IReadOnlyList<BonBonFidelityArm>? Arms = null)
{
    /// <summary>The research setting.</summary>
    public static BonBonFidelitySettings Default { get; } = new();

    /// <summary>
    /// The CI setting (about 45 s on 2 cores): 60 fresh steps at learning rate 3e-3; 20 pairs per prompt for 6 epochs (60 steps); end points only;
    /// the rows <see cref="BonBonFidelity.VerdictArms"/> compares.
    /// </summary>
    public static BonBonFidelitySettings Quick { get; } = new(FreshSteps: 60, FreshLearningRate: 3e-3, PairsPerPrompt: 20, Epochs: 6,
        OfflineLearningRate: 3e-3, EvalEvery: 0, Arms: BonBonFidelity.VerdictArms);

    /// <summary>The seeds in use (default 0, 1, 2).</summary>
    public IReadOnlyList<long> EffectiveSeeds => Seeds ?? [0, 1, 2];

    /// <summary>A one-line description of the protocols for logs and reports.</summary>
    public string Describe() =>
        FormattableString.Invariant($"n={N}, seeds {string.Join(",", EffectiveSeeds)}; fresh: {FreshSteps} steps x {FreshBatchSize} pairs, AdamW lr {FreshLearningRate:G3} ") +
        FormattableString.Invariant($"(warm-up {FreshWarmup}, clip 1); offline: {PairsPerPrompt} pairs/prompt at temperature {Temperature:G3}, {Epochs} epochs x {OfflineBatchSize}, ") +
        FormattableString.Invariant($"RMSprop lr {OfflineLearningRate:G3} (warm-up {OfflineWarmupFraction * 100:G3} %, clip {OfflineClip:G3}); ") +
        (EvalEvery > 0 ? FormattableString.Invariant($"path at {EvalEvery}, {4 * EvalEvery}, {16 * EvalEvery}, ... steps for the first {TrajectorySeeds} seed(s); ") : "end points only; ") +
        $"{(Arms ?? BonBonFidelity.DefaultArms).Count} rows";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public BonBonFidelitySettings Validate()
    {
        void Require(bool ok, string name, object value, string rule)
        {
            if (!ok) throw new ArgumentException($"{name} must be {rule} (got {value}).", name);
        }
        Require(N >= 2, nameof(N), N, ">= 2");
        Require(EffectiveSeeds.Count >= 1, nameof(Seeds), EffectiveSeeds.Count, "a non-empty list");
        Require(FreshSteps >= 1, nameof(FreshSteps), FreshSteps, ">= 1");
        Require(FreshBatchSize >= 1, nameof(FreshBatchSize), FreshBatchSize, ">= 1");
        Require(FreshLearningRate > 0, nameof(FreshLearningRate), FreshLearningRate, "> 0");
        Require(FreshWarmup >= 0, nameof(FreshWarmup), FreshWarmup, ">= 0");
        Require(PairsPerPrompt >= 1, nameof(PairsPerPrompt), PairsPerPrompt, ">= 1");
        Require(Temperature > 0 && double.IsFinite(Temperature), nameof(Temperature), Temperature, "> 0");
        Require(Epochs >= 1, nameof(Epochs), Epochs, ">= 1");
        Require(OfflineBatchSize >= 1, nameof(OfflineBatchSize), OfflineBatchSize, ">= 1");
        Require(OfflineLearningRate > 0, nameof(OfflineLearningRate), OfflineLearningRate, "> 0");
        Require(OfflineWarmupFraction >= 0 && OfflineWarmupFraction < 1, nameof(OfflineWarmupFraction), OfflineWarmupFraction, "in [0, 1)");
        Require(OfflineClip >= 0, nameof(OfflineClip), OfflineClip, ">= 0");
        Require(EvalEvery >= 0, nameof(EvalEvery), EvalEvery, ">= 0 (0: end points only)");
        Require(TrajectorySeeds >= 0, nameof(TrajectorySeeds), TrajectorySeeds, ">= 0");
        Require(AlphaRuleBatch >= 1, nameof(AlphaRuleBatch), AlphaRuleBatch, ">= 1");
        Require(Arms is null || Arms.Count > 0, nameof(Arms), 0, "a non-empty list or null");
        return this;
    }
}
