using AlignLab.Engine.Models;
using AlignLab.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// Supervised fine-tuning on a dataset of (prompt, response) rows: L(θ) = −(1/B)·Σ_b log π_θ(y_b | x_b), rows drawn
/// uniformly with replacement. Its infinite-data optimum is the dataset's conditional distribution.
/// </summary>
public sealed class SftMethod : IAlignmentMethod
{
    private readonly ISequencePolicy policy;
    private readonly Tensor prompts;
    private readonly Tensor responses;
    private readonly SftConfig config;

    /// <summary>Trains <paramref name="policy"/> on the rows (prompts [N, Lp], responses [N, L]).</summary>
    public SftMethod(ISequencePolicy policy, Tensor prompts, Tensor responses, SftConfig config)
    {
        this.policy = policy ?? throw new ArgumentNullException(nameof(policy));
        this.prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
        this.responses = responses ?? throw new ArgumentNullException(nameof(responses));
        this.config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        if (prompts.shape[0] != responses.shape[0] || prompts.shape[0] == 0)
            throw new ArgumentException($"prompts has {prompts.shape[0]} rows and responses {responses.shape[0]}; they must match and be non-empty.", nameof(responses));
    }

    /// <inheritdoc />
    public string Name => "sft";

    /// <inheritdoc />
    public nn.Module Module => policy.Module;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> State => new Dictionary<string, Tensor>();

    /// <inheritdoc />
    object? IAlignmentMethod.Config => config;

    /// <inheritdoc />
    public MethodOutput Step(torch.Generator generator)
    {
        var rows = randint(prompts.shape[0], new long[] { config.BatchSize }, ScalarType.Int64, prompts.device, generator: generator);
        var logProbs = policy.SequenceLogProbs(prompts.index_select(0, rows), responses.index_select(0, rows));
        var loss = -logProbs.mean();
        return new MethodOutput(loss, new Dictionary<string, Tensor> { ["nll"] = loss.detach() });
    }
}
