using AlignLab.Engine.Policies;
using AlignLab.Engine.Rewards;
using AlignLab.Models.Families;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Engine.Rewards;

/// <summary>
/// A learned reward r_θ(x, y): a GPT-2 body (<see cref="Gpt2Model"/>) over prompt + response and a linear scalar head on the
/// last position's hidden state (which has attended to the whole sequence). Trained e.g. by Bradley–Terry,
/// P(y_w ≻ y_l) = σ(r(y_w) − r(y_l)) (THEORY.md §7).
/// </summary>
public sealed class RewardModel : Module, IRewardFunction
{
    private Gpt2Model trunk;
    private Linear head;

    /// <summary>Creates a freshly initialised reward model whose trunk has the shape <paramref name="config"/>.</summary>
    public RewardModel(TinyGptConfig config, string name = "reward-model") : base(nameof(RewardModel))
    {
        Config = config.Validate();
        trunk = new Gpt2Model(config.ToTransformerConfig());
        head = Linear(config.DModel, 1);
        Name = name;
        RegisterComponents();
        using var noGrad = no_grad();
        init.normal_(head.weight!, 0, 0.02);
        init.zeros_(head.bias!);
    }

    /// <summary>The trunk's configuration.</summary>
    public TinyGptConfig Config { get; }

    /// <summary>The transformer body.</summary>
    public Gpt2Model Trunk => trunk;

    /// <summary>The scalar head (the "last layer" of a last-layer Laplace approximation).</summary>
    public Linear Head => head;

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>The last position's final hidden state [B, D] of prompt + response (the features the head reads).</summary>
    public Tensor Features(Tensor prompts, Tensor responses)
    {
        if (prompts.shape[0] != responses.shape[0])
            throw new ArgumentException($"prompts has {prompts.shape[0]} rows but responses has {responses.shape[0]}; batch sizes must match.", nameof(responses));
        using var scope = NewDisposeScope();
        var hidden = trunk.forward(cat([prompts, responses], 1), null);
        return hidden[TensorIndex.Colon, -1].MoveToOuterDisposeScope();
    }

    /// <summary>Differentiable rewards [B] of (prompt, response) rows.</summary>
    public Tensor forward(Tensor prompts, Tensor responses)
    {
        using var features = Features(prompts, responses);
        return head.forward(features).squeeze(-1);
    }

    /// <inheritdoc />
    public Tensor Score(Tensor prompts, Tensor responses)
    {
        using var noGrad = no_grad();
        return forward(prompts, responses);
    }
}
