using static TorchSharp.torch;

namespace AlignLab.Engine.Rewards;

/// <summary>
/// A programmatic reward: a plain function of (prompts [B, P], responses [B, L]) returning values [B], behind
/// <see cref="IRewardFunction"/>, always as float64 on the inputs' device (per-row scalars cost nothing to keep exact,
/// and a half-precision run must not merge distinct rewards into ties). Gold rewards and off-target attributes
/// (<see cref="GoldRewards"/>) are built this way.
/// </summary>
public sealed class FunctionReward : IRewardFunction
{
    private readonly Func<Tensor, Tensor, Tensor> _score;

    /// <summary>A reward named <paramref name="name"/> computed by <paramref name="score"/>.</summary>
    public FunctionReward(string name, Func<Tensor, Tensor, Tensor> score)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(score);
        Name = name;
        _score = score;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Tensor Score(Tensor prompts, Tensor responses)
    {
        if (prompts.shape[0] != responses.shape[0])
            throw new ArgumentException($"prompts has {prompts.shape[0]} rows but responses has {responses.shape[0]}; batch sizes must match.", nameof(responses));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return _score(prompts, responses).to(ScalarType.Float64).MoveToOuterDisposeScope();
    }
}
