using AlignLab.Models;
using AlignLab.Models.Generation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Engine.Policies;

/// <summary>
/// A softmax policy over K outcomes per prompt, π_θ(y | x) = softmax(θ_x)_y, with one free logit per (prompt, outcome):
/// the bridge between the engine and the exact theory module (THEORY.md §9). Prompts are [B, 1] tensors of prompt ids,
/// responses [B, 1] tensors of outcome ids.
/// </summary>
public sealed class TabularPolicy : nn.Module, ISequencePolicy
{
    // A field of type Parameter is registered (and saved) under its name by RegisterComponents.
    private readonly Parameter logits;

    /// <summary>Creates a policy with the given initial logits [P, K] (copied); uniform when <paramref name="initialLogits"/> is null.</summary>
    /// <param name="config">Number of prompts and outcomes.</param>
    /// <param name="initialLogits">Initial logits θ, one row per prompt, or null for all zeros (the uniform policy).</param>
    public TabularPolicy(TabularPolicyConfig config, IReadOnlyList<IReadOnlyList<double>>? initialLogits = null)
        : base(nameof(TabularPolicy))
    {
        Config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        var values = new float[config.PromptCount * config.OutcomeCount];
        if (initialLogits is not null)
        {
            if (initialLogits.Count != config.PromptCount)
                throw new ArgumentException($"initialLogits has {initialLogits.Count} rows but PromptCount is {config.PromptCount}.", nameof(initialLogits));
            for (var x = 0; x < config.PromptCount; x++)
            {
                var row = initialLogits[x];
                if (row.Count != config.OutcomeCount)
                    throw new ArgumentException($"initialLogits row {x} has {row.Count} entries but OutcomeCount is {config.OutcomeCount}.", nameof(initialLogits));
                for (var y = 0; y < config.OutcomeCount; y++)
                {
                    if (!double.IsFinite(row[y])) throw new ArgumentException($"initialLogits[{x}][{y}] must be finite (got {row[y]}).", nameof(initialLogits));
                    values[x * config.OutcomeCount + y] = (float)row[y];
                }
            }
        }
        logits = new Parameter(tensor(values, config.PromptCount, config.OutcomeCount));
        RegisterComponents();
    }

    /// <summary>
    /// A policy equal to the given distributions [P][K] (logits θ = log p), e.g. the base policy of a toy task.
    /// Every probability must be &gt; 0 (a softmax policy cannot represent a zero).
    /// </summary>
    public static TabularPolicy FromProbabilities(IReadOnlyList<IReadOnlyList<double>> probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Count == 0) throw new ArgumentException("probabilities must have at least one row.", nameof(probabilities));
        var k = probabilities[0].Count;
        var logs = new double[probabilities.Count][];
        for (var x = 0; x < probabilities.Count; x++)
        {
            if (probabilities[x].Count != k)
                throw new ArgumentException($"probabilities row {x} has {probabilities[x].Count} entries but row 0 has {k}.", nameof(probabilities));
            logs[x] = new double[k];
            for (var y = 0; y < k; y++)
            {
                var p = probabilities[x][y];
                if (!(p > 0) || !double.IsFinite(p)) throw new ArgumentException($"probabilities[{x}][{y}] must be > 0 and finite (got {p}).", nameof(probabilities));
                logs[x][y] = Math.Log(p);
            }
        }
        return new TabularPolicy(new TabularPolicyConfig(probabilities.Count, k), logs);
    }

    /// <summary>Number of prompts and outcomes.</summary>
    public TabularPolicyConfig Config { get; }

    /// <summary>The logits θ [P, K] (the only parameter).</summary>
    public Tensor Logits => logits;

    /// <summary>Number of trainable parameters, P·K.</summary>
    public long ParameterCount => (long)Config.PromptCount * Config.OutcomeCount;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <summary>Length of every prompt: one prompt id.</summary>
    public int PromptLength => 1;

    /// <summary>The full table π_θ(y | x) as [P][K] doubles, for exact evaluation with the theory module.</summary>
    public double[][] Probabilities()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var flat = nn.functional.softmax(logits.to(ScalarType.Float64), 1).cpu().data<double>().ToArray();
        var k = Config.OutcomeCount;
        return Enumerable.Range(0, Config.PromptCount).Select(x => flat.AsSpan(x * k, k).ToArray()).ToArray();
    }

    /// <inheritdoc />
    /// <remarks>Prompts and responses are single ids, so a mask can only mark a whole row: a masked response counts 0.</remarks>
    public Tensor SequenceLogProbs(Tensor prompts, Tensor responses, Tensor? promptMask = null, Tensor? responseMask = null)
    {
        if (promptMask is not null && promptMask.eq(0).any().item<bool>())
            throw new ArgumentException("a tabular policy's prompt is one id and cannot be padded (promptMask has a 0).", nameof(promptMask));
        CheckColumn(prompts, nameof(prompts));
        CheckColumn(responses, nameof(responses));
        if (prompts.shape[0] != responses.shape[0])
            throw new ArgumentException($"prompts has {prompts.shape[0]} rows but responses has {responses.shape[0]}.", nameof(responses));
        using var scope = NewDisposeScope();
        var logProbs = nn.functional.log_softmax(logits, 1).index_select(0, prompts.reshape(-1));
        var result = logProbs.gather(1, responses.reshape(-1, 1)).squeeze(1);
        if (responseMask is not null) result = result.masked_fill(responseMask.reshape(-1).eq(0), 0);
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor TokenLogProbs(Tensor prompts, Tensor responses, Tensor? promptMask = null, Tensor? responseMask = null) =>
        SequenceLogProbs(prompts, responses, promptMask, responseMask).unsqueeze(1);

    /// <inheritdoc />
    public SampleBatch Sample(Tensor prompts, int samplesPerPrompt, SamplingOptions options, Generator generator, Tensor? promptMask = null)
    {
        if (promptMask is not null && promptMask.eq(0).any().item<bool>())
            throw new ArgumentException("a tabular policy's prompt is one id and cannot be padded (promptMask has a 0).", nameof(promptMask));
        CheckColumn(prompts, nameof(prompts));
        if (samplesPerPrompt < 1) throw new ArgumentException($"samplesPerPrompt must be >= 1 (got {samplesPerPrompt}).", nameof(samplesPerPrompt));
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var sampling = SamplingLogProbs(logits.index_select(0, prompts.reshape(-1)) / options.Temperature, options);
        var drawn = multinomial(sampling.exp(), samplesPerPrompt, replacement: true, generator: generator);
        var tokenLogProbs = sampling.gather(1, drawn).reshape(-1, 1);
        var batch = new SampleBatch(
            prompts.repeat_interleave(samplesPerPrompt, 0).MoveToOuterDisposeScope(),
            drawn.reshape(-1, 1).MoveToOuterDisposeScope(),
            tokenLogProbs.MoveToOuterDisposeScope(),
            tokenLogProbs.reshape(-1).clone().MoveToOuterDisposeScope(),
            samplesPerPrompt);
        return batch;
    }

    /// <summary>Log-probabilities of the sampling distribution after top-k and top-p filtering of the scaled logits.</summary>
    private static Tensor SamplingLogProbs(Tensor scaled, SamplingOptions options) =>
        nn.functional.log_softmax(LogitFilter.Apply(scaled, options.TopK, options.TopP), 1);

    private static void CheckColumn(Tensor ids, string name)
    {
        ArgumentNullException.ThrowIfNull(ids, name);
        if (ids.dim() != 2 || ids.shape[1] != 1)
            throw new ArgumentException($"{name} must have shape [B, 1] (got [{string.Join(", ", ids.shape)}]).", name);
        if (ids.dtype != ScalarType.Int64)
            throw new ArgumentException($"{name} must be int64 ids (got {ids.dtype}).", name);
    }
}
