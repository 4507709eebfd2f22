using AlignLab.Engine.Checkpoints;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Rewards;
using AlignLab.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tasks;

/// <summary>
/// The built-in enumerable task: the <see cref="ToyLanguage"/>'s prompts, every response of
/// <see cref="ToyTaskConfig.ResponseLength"/> symbols, the gold reward and the off-target attribute, and a base
/// <see cref="TinyGpt"/> pretrained on the language (cached on disk). Gold reward:
/// r(y) = #{t : y_t = s*} with s* = <see cref="ToyTaskConfig.TargetSymbol"/>, plus (unless
/// <see cref="ToyTaskConfig.RewardTies"/>) the tie-breaker Σ_t y_t·V^{−t} ∈ [0, 1) so all 7,776 rewards differ.
/// Off-target attribute: #{t : y_t = <see cref="ToyTaskConfig.OffTargetSymbol"/>}.
/// </summary>
public sealed class ToyTask : IEnumerableTask, IDisposable
{
    /// <summary>
    /// Creates the task for <paramref name="config"/> (default: <see cref="ToyTaskConfig"/>'s defaults) with its tensors and
    /// base model on <paramref name="context"/>'s device and dtype (default: the CPU in float32).
    /// </summary>
    public ToyTask(ToyTaskConfig? config = null, ComputeContext? context = null)
    {
        Language = new ToyLanguage(config ?? new ToyTaskConfig());
        Device = context?.Device ?? CPU;
        DType = context?.DType ?? ScalarType.Float32;
        var c = Language.Config;
        Prompts = tensor(Language.Prompts.SelectMany(x => x).ToArray(), [c.PromptCount, c.PromptLength], device: Device);
        int n = c.ResponseCount, l = c.ResponseLength, v = c.VocabSize;
        var all = new long[n * l];
        for (int i = 0; i < n; i++)
            for (int t = 0, rest = i; t < l; t++, rest /= v)
                all[i * l + (l - 1 - t)] = rest % v; // response i is i written in base V
        AllResponses = tensor(all, [n, l], device: Device);
        GoldReward = c.RewardTies ? GoldRewards.SymbolCount(c.TargetSymbol) : GoldRewards.SymbolCountWithoutTies(c.TargetSymbol, v);
        OffTarget = GoldRewards.SymbolCount(c.OffTargetSymbol);
    }

    /// <summary>The device of <see cref="Prompts"/>, <see cref="AllResponses"/> and the base model.</summary>
    public Device Device { get; }

    /// <summary>The floating-point dtype of the base model's parameters.</summary>
    public ScalarType DType { get; }

    /// <summary>The configuration.</summary>
    public ToyTaskConfig Config => Language.Config;

    /// <summary>The generative process the base is trained on.</summary>
    public ToyLanguage Language { get; }

    /// <inheritdoc />
    public Tensor Prompts { get; }

    /// <inheritdoc />
    public Tensor AllResponses { get; }

    /// <inheritdoc />
    public IRewardFunction GoldReward { get; }

    /// <summary>The off-target attribute (a symbol count the reward does not ask for).</summary>
    public IRewardFunction OffTarget { get; }

    /// <summary>The shape of the base model for <paramref name="baseConfig"/>.</summary>
    public TinyGptConfig ModelConfig(ToyBaseConfig baseConfig) =>
        new(Config.VocabSize, Config.PromptLength, baseConfig.DModel, baseConfig.Heads, baseConfig.Layers, Config.PromptLength + Config.ResponseLength);

    /// <summary>
    /// The version of <see cref="Pretrain"/>: part of the base cache key, so a change to what pretraining produces never
    /// reuses a stale cached base. Bump it whenever the pretrained weights change (this class's pretraining loop,
    /// <see cref="ToyLanguage"/>'s sampling, <see cref="TinyGpt"/>'s initialisation, forward or parameter names); the pretraining
    /// fingerprint test records the weights of each version and fails until it is bumped.
    /// </summary>
    public const int PretrainingVersion = 2;

    /// <summary>
    /// The pretrained base model on the task's <see cref="Device"/> in its <see cref="DType"/>, loaded from
    /// <paramref name="cacheDirectory"/> (default <see cref="ModelCache.DefaultDirectory"/>) when an intact checkpoint
    /// for this task and <paramref name="baseConfig"/> is there, otherwise pretrained (on the CPU in float32, so that the
    /// cached weights do not depend on the machine that first trained them) and saved atomically
    /// (<see cref="ModelCache.LoadOrBuild"/>: a damaged entry is moved aside, reported and rebuilt).
    /// </summary>
    public TinyGpt LoadOrPretrainBase(ToyBaseConfig? baseConfig = null, string? cacheDirectory = null)
    {
        var config = (baseConfig ?? new ToyBaseConfig()).Validate();
        // Cached bases are float32 (see Pretrain); a module is built in torch's default dtype, so it is cast before the
        // weights are copied in, or a run with another default would see a "damaged" cache entry.
        return Placed(ModelCache.LoadOrBuild(BaseCheckpointPath(config, cacheDirectory), ModelConfig(config),
            c => CanonicalModel(new TinyGpt(c)), () => Pretrain(config)));
    }

    private static TinyGpt CanonicalModel(TinyGpt model)
    {
        model.to(ScalarType.Float32);
        return model;
    }

    private TinyGpt Placed(TinyGpt model)
    {
        model.to(Device).to(DType);
        return model;
    }

    /// <summary>
    /// Where the base checkpoint for <paramref name="baseConfig"/> is cached: keyed by what determines its weights, the
    /// task and base configs, <see cref="PretrainingVersion"/>, and the TorchSharp (libtorch) version, whose random
    /// generator and kernels the pretraining runs on.
    /// </summary>
    public string BaseCheckpointPath(ToyBaseConfig baseConfig, string? cacheDirectory = null) =>
        Path.Combine(cacheDirectory ?? ModelCache.DefaultDirectory,
            $"toy-base-{ModelCache.Key(Config, baseConfig, PretrainingVersion, typeof(torch).Assembly.GetName().Version!.ToString())}.safetensors");

    /// <summary>
    /// Trains a fresh base by maximum likelihood (mean token cross-entropy of responses given prompts) on fresh
    /// samples of the language, with Adam and a learning rate decaying linearly to 0 (which removes most of the
    /// optimiser noise from the final fit), on <paramref name="context"/>'s device and dtype (default: a CPU float32
    /// context); initialisation and data are fixed by <see cref="ToyBaseConfig.Seed"/>. Does not touch the cache.
    /// </summary>
    public TinyGpt Pretrain(ToyBaseConfig baseConfig, ComputeContext? context = null)
    {
        baseConfig.Validate();
        using var cpu = context is null ? ComputeContext.Create(new ComputeOptions(baseConfig.Seed, "cpu")) : null;
        var compute = context ?? cpu!;
        compute.SeedInitialisation(baseConfig.Seed);
        var model = compute.Place(new TinyGpt(ModelConfig(baseConfig)));
        var random = new Random(unchecked((int)baseConfig.Seed));
        using var optimizer = optim.Adam(model.parameters(), baseConfig.LearningRate);
        model.train();
        for (int step = 0; step < baseConfig.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var (prompts, responses) = Language.SampleTexts(baseConfig.BatchSize, random, compute.Device);
            var loss = -model.TokenLogProbs(prompts, responses).mean();
            optimizer.zero_grad();
            loss.backward();
            foreach (var group in optimizer.ParamGroups) group.LearningRate = baseConfig.LearningRate * (1 - (double)step / baseConfig.Steps);
            optimizer.step();
        }
        model.eval();
        return model;
    }

    /// <summary>The true probability P(y | x_k) of every response under the generative process.</summary>
    public double[] TrueProbabilities(int promptIndex)
    {
        CheckPrompt(promptIndex);
        var prompt = Language.Prompts[promptIndex];
        using var cpuResponses = AllResponses.cpu();
        var all = cpuResponses.data<long>().ToArray();
        int l = Config.ResponseLength;
        return Enumerable.Range(0, Config.ResponseCount).Select(i => Language.Probability(prompt, all[(i * l)..((i + 1) * l)])).ToArray();
    }

    private void CheckPrompt(int promptIndex)
    {
        if (promptIndex < 0 || promptIndex >= Config.PromptCount)
            throw new ArgumentException($"promptIndex must be in [0, {Config.PromptCount}) (got {promptIndex}).", nameof(promptIndex));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Prompts.Dispose();
        AllResponses.Dispose();
    }
}
