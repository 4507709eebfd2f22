using AlignLab.Engine.Rewards;
using AlignLab.Engine.Selection;
using AlignLab.Models;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// A fixed set of N labelled preference pairs: prompts [N, P], chosen and rejected responses [N, L] (right-padded after
/// the end token), and the prompts' left-padding mask [N, P] (true or 1 = real token; null when no prompt is padded).
/// Built from base samples labelled by a gold reward (optionally noisy, for proxy reward models), from best/worst-of-n
/// samples, or read from a best-of-n data file (<c>AlignLab.Dsl.BestOfNPairs</c>).
/// </summary>
public sealed record PreferenceDataset(Tensor Prompts, Tensor Chosen, Tensor Rejected, Tensor? PromptMask = null) : IDisposable
{
    /// <summary>Number of pairs N.</summary>
    public long Count => Prompts.shape[0];

    /// <summary>
    /// For each prompt row of <paramref name="prompts"/> [P, Lp], <paramref name="pairsPerPrompt"/> pairs of two
    /// independent samples from <paramref name="policy"/>, labelled by <paramref name="reward"/> with
    /// <paramref name="labeling"/>, then each label flipped with probability <paramref name="labelNoise"/>.
    /// <paramref name="promptMask"/> [P, Lp] marks the prompts' left padding (null: none).
    /// </summary>
    public static PreferenceDataset FromBase(
        ISequencePolicy policy, Tensor prompts, int pairsPerPrompt, IRewardFunction reward, PairLabeling labeling,
        double labelNoise, SamplingOptions sampling, Generator generator, Tensor? promptMask = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(reward);
        PromptDraw.CheckMask(prompts, promptMask);
        if (pairsPerPrompt < 1) throw new ArgumentException($"pairsPerPrompt must be >= 1 (got {pairsPerPrompt}).", nameof(pairsPerPrompt));
        if (!(labelNoise >= 0 && labelNoise <= 1)) throw new ArgumentException($"labelNoise must be in [0, 1] (got {labelNoise}).", nameof(labelNoise));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var repeated = prompts.repeat_interleave(pairsPerPrompt, 0);
        var repeatedMask = promptMask?.repeat_interleave(pairsPerPrompt, 0);
        using var batch = policy.Sample(repeated, 2, sampling, generator, repeatedMask);
        var rewards = reward.Score(batch.Prompts, batch.Responses, batch.PromptMask).reshape(-1, 2);
        var margin = rewards[.., 0] - rewards[.., 1];
        var u = rand(margin.shape, ScalarType.Float64, margin.device, generator: generator);
        var firstChosen = labeling switch
        {
            PairLabeling.BradleyTerry => u < margin.to(ScalarType.Float64).sigmoid(),
            PairLabeling.Deterministic => (margin > 0) | ((margin == 0) & (u < 0.5)),
            _ => throw new ArgumentException($"Unknown labeling {labeling}.", nameof(labeling)),
        };
        var flip = rand(margin.shape, ScalarType.Float64, margin.device, generator: generator) < labelNoise;
        firstChosen = firstChosen.logical_xor(flip);
        var responses = batch.Responses.reshape(repeated.shape[0], 2, -1);
        var first = responses[.., 0];
        var second = responses[.., 1];
        var mask = firstChosen.unsqueeze(1);
        return new PreferenceDataset(
            repeated.clone().MoveToOuterDisposeScope(),
            where(mask, first, second).MoveToOuterDisposeScope(),
            where(mask, second, first).MoveToOuterDisposeScope(),
            repeatedMask?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// For each prompt row, <paramref name="pairsPerPrompt"/> (best, worst) pairs of <paramref name="n"/> samples from
    /// <paramref name="policy"/> ranked by <paramref name="reward"/> (BoNBoN training data, THEORY.md §4).
    /// <paramref name="promptMask"/> [P, Lp] marks the prompts' left padding (null: none).
    /// </summary>
    public static PreferenceDataset FromBestOfN(
        ISequencePolicy policy, Tensor prompts, int pairsPerPrompt, int n, IRewardFunction reward, SamplingOptions sampling, Generator generator,
        Tensor? promptMask = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        PromptDraw.CheckMask(prompts, promptMask);
        if (pairsPerPrompt < 1) throw new ArgumentException($"pairsPerPrompt must be >= 1 (got {pairsPerPrompt}).", nameof(pairsPerPrompt));
        using var scope = NewDisposeScope();
        var repeated = prompts.repeat_interleave(pairsPerPrompt, 0);
        var repeatedMask = promptMask?.repeat_interleave(pairsPerPrompt, 0);
        var (chosen, rejected) = BestWorstPairSource.Draw(policy, repeated, n, reward, sampling, generator, repeatedMask);
        return new PreferenceDataset(repeated.clone().MoveToOuterDisposeScope(), chosen.MoveToOuterDisposeScope(), rejected.MoveToOuterDisposeScope(),
            repeatedMask?.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Prompts.Dispose();
        Chosen.Dispose();
        Rejected.Dispose();
        PromptMask?.Dispose();
    }
}
