using AlignLab.Engine.Rewards;
using AlignLab.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// Reward modelling by Bradley–Terry (THEORY.md §7): P(y_w ≻ y_l) = σ(r_φ(y_w) − r_φ(y_l)), trained by
/// L(φ) = −(1/B)·Σ_b log σ(r_φ(x_b, y_w,b) − r_φ(x_b, y_l,b)) on labelled pairs (e.g.
/// <see cref="PreferenceDataset.FromBase"/> with a gold reward and label noise, for a proxy reward model). The network is
/// any module with a differentiable scoring function (prompts, responses) → rewards [B], or (prompts, responses,
/// promptMask) → rewards [B] for data whose prompts are left-padded (<see cref="PreferenceDataset.PromptMask"/>).
/// </summary>
public sealed class RewardModelMethod : IAlignmentMethod
{
    private readonly Func<Tensor, Tensor, Tensor?, Tensor> score;
    private readonly PreferenceDataset data;
    private readonly RewardModelConfig config;

    /// <summary>
    /// Trains <paramref name="module"/>, whose scores are <paramref name="score"/>(prompts, responses), on
    /// <paramref name="data"/>, whose prompts must not be padded (the score cannot see a mask).
    /// </summary>
    public RewardModelMethod(nn.Module module, Func<Tensor, Tensor, Tensor> score, PreferenceDataset data, RewardModelConfig config)
        : this(module, PromptMasks.IgnoringMask(score), data, config)
    {
        if (!PromptMasks.PadsNothing(data.PromptMask))
            throw new ArgumentException("data has left-padded prompts but score takes no prompt mask; give a score of (prompts, responses, promptMask).", nameof(score));
    }

    /// <summary>
    /// Trains <paramref name="module"/>, whose scores are <paramref name="score"/>(prompts, responses, promptMask), on
    /// <paramref name="data"/> (its prompt mask passed to the score; null when no prompt is padded).
    /// </summary>
    public RewardModelMethod(nn.Module module, Func<Tensor, Tensor, Tensor?, Tensor> score, PreferenceDataset data, RewardModelConfig config)
    {
        Module = module ?? throw new ArgumentNullException(nameof(module));
        this.score = score ?? throw new ArgumentNullException(nameof(score));
        this.data = data ?? throw new ArgumentNullException(nameof(data));
        this.config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        if (data.Count < 1) throw new ArgumentException("data has no pairs.", nameof(data));
        PromptDraw.CheckMask(data.Prompts, data.PromptMask);
    }

    /// <inheritdoc />
    public string Name => "reward-model";

    /// <inheritdoc />
    public nn.Module Module { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> State => new Dictionary<string, Tensor>();

    /// <inheritdoc />
    object? IAlignmentMethod.Config => config;

    /// <summary>The Bradley–Terry loss −mean log σ(r_chosen − r_rejected) of given scores [B].</summary>
    public static Tensor Loss(Tensor chosenRewards, Tensor rejectedRewards) =>
        -nn.functional.logsigmoid(chosenRewards - rejectedRewards).mean();

    /// <inheritdoc />
    public MethodOutput Step(torch.Generator generator)
    {
        var (rows, prompts, promptMask) = PromptDraw.Next(data.Prompts, data.PromptMask, config.BatchSize, generator);
        var chosen = score(prompts, data.Chosen.index_select(0, rows), promptMask);
        var rejected = score(prompts, data.Rejected.index_select(0, rows), promptMask);
        var margin = (chosen - rejected).detach();
        return new MethodOutput(Loss(chosen, rejected), new Dictionary<string, Tensor>
        {
            ["accuracy"] = (margin > 0).to(margin.dtype).mean(),
            ["margin"] = margin.mean(),
        });
    }
}
