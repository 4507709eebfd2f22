using AlignLab.Engine.Training;
using AlignLab.Models;
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
    private readonly Tensor? promptMask;
    private readonly SftConfig config;

    /// <summary>
    /// Trains <paramref name="policy"/> on the rows (prompts [N, Lp], left-padded where <paramref name="promptMask"/>
    /// [N, Lp] is 0, null: none padded; responses [N, L], right-padded after the end token).
    /// </summary>
    public SftMethod(ISequencePolicy policy, Tensor prompts, Tensor responses, SftConfig config, Tensor? promptMask = null)
    {
        this.policy = policy ?? throw new ArgumentNullException(nameof(policy));
        this.prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
        this.responses = responses ?? throw new ArgumentNullException(nameof(responses));
        this.config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        if (prompts.shape[0] != responses.shape[0] || prompts.shape[0] == 0)
            throw new ArgumentException($"prompts has {prompts.shape[0]} rows and responses {responses.shape[0]}; they must match and be non-empty.", nameof(responses));
        PromptDraw.CheckMask(prompts, promptMask);
        this.promptMask = promptMask;
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
        var (rows, batchPrompts, batchMask) = PromptDraw.Next(prompts, promptMask, config.BatchSize, generator);
        var logProbs = policy.SequenceLogProbs(batchPrompts, responses.index_select(0, rows), batchMask);
        var loss = -logProbs.mean();
        return new MethodOutput(loss, new Dictionary<string, Tensor> { ["nll"] = loss.detach() });
    }
}
