using static TorchSharp.torch;

namespace AlignLab.Engine.Rewards;

/// <summary>
/// A programmatic reward: a plain function of (prompts [B, P], responses [B, L]) returning values [B], behind
/// <see cref="IRewardFunction"/>, always as float64 on the inputs' device (per-row scalars cost nothing to keep exact,
/// and a half-precision run must not merge distinct rewards into ties). Gold rewards and off-target attributes
/// (<see cref="GoldRewards"/>) are built this way. For left-padded prompts the function either takes the prompt mask
/// too, or reads only the responses (<see cref="OfResponses"/>); a two-argument function refuses padded prompts
/// (<see cref="IRewardFunction.Score(Tensor, Tensor, Tensor?)"/>).
/// </summary>
public sealed class FunctionReward : IRewardFunction
{
    private readonly Func<Tensor, Tensor, Tensor?, Tensor> _score;
    private readonly bool _readsMask;

    /// <summary>A reward named <paramref name="name"/> computed by <paramref name="score"/>(prompts, responses); prompts unpadded.</summary>
    public FunctionReward(string name, Func<Tensor, Tensor, Tensor> score)
        : this(name, PromptMasks.IgnoringMask(score), readsMask: false)
    {
    }

    /// <summary>
    /// A reward named <paramref name="name"/> computed by <paramref name="score"/>(prompts, responses, promptMask), the
    /// mask [B, P] marking the prompts' real tokens (null: none padded).
    /// </summary>
    public FunctionReward(string name, Func<Tensor, Tensor, Tensor?, Tensor> score) : this(name, score, readsMask: true)
    {
    }

    private FunctionReward(string name, Func<Tensor, Tensor, Tensor?, Tensor> score, bool readsMask)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(score);
        Name = name;
        _score = score;
        _readsMask = readsMask;
    }

    /// <summary>A reward of the responses [B, L] alone, so any prompt padding is harmless.</summary>
    public static FunctionReward OfResponses(string name, Func<Tensor, Tensor> score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return new FunctionReward(name, (_, y, _) => score(y));
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Tensor Score(Tensor prompts, Tensor responses) => Score(prompts, responses, null);

    /// <inheritdoc />
    public Tensor Score(Tensor prompts, Tensor responses, Tensor? promptMask)
    {
        if (prompts.shape[0] != responses.shape[0])
            throw new ArgumentException($"prompts has {prompts.shape[0]} rows but responses has {responses.shape[0]}; batch sizes must match.", nameof(responses));
        if (!_readsMask) PromptMasks.ThrowIfPadded(promptMask, Name);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return _score(prompts, responses, promptMask).to(ScalarType.Float64).MoveToOuterDisposeScope();
    }
}
