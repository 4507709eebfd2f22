using AlignLab.Engine.Bayesian;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Runtime;
using AlignLab.Engine.Selection;
using AlignLab.Engine.Tasks;
using AlignLab.Models.Lora;
using static TorchSharp.torch;

namespace AlignLab.Engine.Experiments;

/// <summary>
/// Settings of the reward over-optimisation experiment (<see cref="OverOptimisation"/>, issue 5 item 5). The defaults
/// are the full run (the default 32-prompt toy task, 7,776 responses each; about a minute on two CPU cores);
/// <see cref="Quick"/> is the CI-sized run.
/// </summary>
public sealed record OverOptimisationConfig
{
    /// <summary>The enumerable toy task (default <see cref="ToyTaskConfig"/>'s defaults).</summary>
    public ToyTaskConfig Task { get; init; } = new();

    /// <summary>The pretrained base policy p, and the shape of the proxy reward model's trunk (default <see cref="ToyBaseConfig"/>'s defaults).</summary>
    public ToyBaseConfig Base { get; init; } = new();

    /// <summary>Preference pairs per prompt, each two base samples labelled by the gold reward (default 16: few pairs).</summary>
    public int PairsPerPrompt { get; init; } = 16;

    /// <summary>Probability that a pair's label is flipped (default 0.2: noisy labels).</summary>
    public double LabelNoise { get; init; } = 0.2;

    /// <summary>How the gold reward labels a pair before the noise (default: the higher gold reward wins).</summary>
    public PairLabeling Labeling { get; init; } = PairLabeling.Deterministic;

    /// <summary>Bradley–Terry training steps of the proxy (default 400).</summary>
    public int RewardModelSteps { get; init; } = 400;

    /// <summary>AdamW learning rate of the proxy (default 1e-3).</summary>
    public double RewardModelLearningRate { get; init; } = 1e-3;

    /// <summary>Pairs per proxy training step (default 32).</summary>
    public int RewardModelBatchSize { get; init; } = 32;

    /// <summary>
    /// The Laplace approximation of the proxy (default: last layer, KFAC, prior precision by marginal likelihood).
    /// With <see cref="LaplaceSubset.Lora"/> the proxy is trained as LoRA adapters (<see cref="Lora"/>) plus its head.
    /// </summary>
    public LaplaceConfig Laplace { get; init; } = new();

    /// <summary>LoRA shape when <see cref="Laplace"/> uses the LoRA subset (default rank 4, α 8).</summary>
    public LoraConfig Lora { get; init; } = new(Rank: 4, Alpha: 8);

    /// <summary>The n of best-of-n (default 1, 2, 4, …, 256).</summary>
    public IReadOnlyList<int> Ns { get; init; } = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    /// <summary>Penalty weights k of the penalised proxies r* − k·σ (default 1 and 3).</summary>
    public IReadOnlyList<double> PenaltyWeights { get; init; } = [1.0, 3.0];

    /// <summary>Penalise the predictive std (default) or variance.</summary>
    public UncertaintyPenalty Penalty { get; init; } = UncertaintyPenalty.StandardDeviation;

    /// <summary>Seed of the pairs, the proxy's initialisation of its head and its training (default 0).</summary>
    public long Seed { get; init; }

    /// <summary>Device name ("cpu", "cuda", …) or null (default) for cuda when available, else cpu.</summary>
    public string? Device { get; init; }

    /// <summary>Floating-point dtype of the base and the proxy (default float32; the Laplace algebra is float64 regardless).</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>
    /// CPU threads torch uses; 0 (default) keeps torch's own choice. The proxy's training sums floats in an order that
    /// depends on the thread count, so pin it when a result must replay exactly on another machine.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>The options of the run's <see cref="ComputeContext"/>: <see cref="Seed"/>, <see cref="Device"/>, <see cref="DType"/>, <see cref="Threads"/>.</summary>
    public ComputeOptions ComputeOptions => new(Seed, Device, DType, Threads);

    /// <summary>Where the pretrained base is cached (default <see cref="ModelCache.DefaultDirectory"/>).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// The CI-sized run: a 4-symbol task with responses of 4 symbols (256 per prompt) and 8 prompts, a 16-wide base
    /// pretrained for 400 steps, 32 pairs per prompt (256 in all), 200 proxy steps; n up to 256.
    /// </summary>
    public static OverOptimisationConfig Quick { get; } = new()
    {
        Task = new ToyTaskConfig(VocabSize: 4, PromptLength: 2, ResponseLength: 4, PromptCount: 8),
        Base = new ToyBaseConfig(DModel: 16, Steps: 400),
        PairsPerPrompt = 32,
        RewardModelSteps = 200,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this config.</summary>
    public OverOptimisationConfig Validate()
    {
        Task.Validate();
        Base.Validate();
        Laplace.Validate();
        Lora.Validate();
        if (PairsPerPrompt < 1) throw new ArgumentException($"PairsPerPrompt must be >= 1 (got {PairsPerPrompt}).", nameof(PairsPerPrompt));
        if (!(LabelNoise >= 0 && LabelNoise <= 1)) throw new ArgumentException($"LabelNoise must be in [0, 1] (got {LabelNoise}).", nameof(LabelNoise));
        if (RewardModelSteps < 1) throw new ArgumentException($"RewardModelSteps must be >= 1 (got {RewardModelSteps}).", nameof(RewardModelSteps));
        if (!(RewardModelLearningRate > 0) || double.IsInfinity(RewardModelLearningRate))
            throw new ArgumentException($"RewardModelLearningRate must be > 0 and finite (got {RewardModelLearningRate}).", nameof(RewardModelLearningRate));
        if (RewardModelBatchSize < 1) throw new ArgumentException($"RewardModelBatchSize must be >= 1 (got {RewardModelBatchSize}).", nameof(RewardModelBatchSize));
        if (Ns is null || Ns.Count == 0) throw new ArgumentException("Ns must list at least one n.", nameof(Ns));
        for (int i = 0; i < Ns.Count; i++)
            if (Ns[i] < 1) throw new ArgumentException($"Ns[{i}] must be >= 1 (got {Ns[i]}).", nameof(Ns));
        if (PenaltyWeights is null) throw new ArgumentException("PenaltyWeights must not be null (use an empty list for none).", nameof(PenaltyWeights));
        for (int i = 0; i < PenaltyWeights.Count; i++)
            if (!(PenaltyWeights[i] >= 0) || double.IsInfinity(PenaltyWeights[i]))
                throw new ArgumentException($"PenaltyWeights[{i}] must be >= 0 and finite (got {PenaltyWeights[i]}).", nameof(PenaltyWeights));
        if (!Enum.IsDefined(Penalty)) throw new ArgumentException($"Unknown Penalty {Penalty}.", nameof(Penalty));
        if (Threads < 0) throw new ArgumentException($"Threads must be >= 0, 0 meaning torch's own choice (got {Threads}).", nameof(Threads));
        return this;
    }
}
