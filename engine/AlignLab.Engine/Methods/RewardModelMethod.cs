using AlignLab.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// Reward modelling by Bradley–Terry (THEORY.md §7): P(y_w ≻ y_l) = σ(r_φ(y_w) − r_φ(y_l)), trained by
/// L(φ) = −(1/B)·Σ_b log σ(r_φ(x_b, y_w,b) − r_φ(x_b, y_l,b)) on labelled pairs (e.g.
/// <see cref="PreferenceDataset.FromBase"/> with a gold reward and label noise, for a proxy reward model). The network is
/// any module with a differentiable scoring function (prompts, responses) → rewards [B].
/// </summary>
public sealed class RewardModelMethod : IAlignmentMethod
{
    private readonly Func<Tensor, Tensor, Tensor> score;
    private readonly PreferenceDataset data;
    private readonly RewardModelConfig config;

    /// <summary>Trains <paramref name="module"/>, whose scores are <paramref name="score"/>, on <paramref name="data"/>.</summary>
    public RewardModelMethod(nn.Module module, Func<Tensor, Tensor, Tensor> score, PreferenceDataset data, RewardModelConfig config)
    {
        Module = module ?? throw new ArgumentNullException(nameof(module));
        this.score = score ?? throw new ArgumentNullException(nameof(score));
        this.data = data ?? throw new ArgumentNullException(nameof(data));
        this.config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        if (data.Count < 1) throw new ArgumentException("data has no pairs.", nameof(data));
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
        var rows = randint(data.Count, new long[] { config.BatchSize }, ScalarType.Int64, data.Prompts.device, generator: generator);
        var prompts = data.Prompts.index_select(0, rows);
        var chosen = score(prompts, data.Chosen.index_select(0, rows));
        var rejected = score(prompts, data.Rejected.index_select(0, rows));
        var margin = (chosen - rejected).detach();
        return new MethodOutput(Loss(chosen, rejected), new Dictionary<string, Tensor>
        {
            ["accuracy"] = (margin > 0).to(margin.dtype).mean(),
            ["margin"] = margin.mean(),
        });
    }
}
