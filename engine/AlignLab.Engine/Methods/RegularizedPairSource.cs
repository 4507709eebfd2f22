using AlignLab.Engine.Rewards;
using AlignLab.Engine.Selection;
using AlignLab.Models;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// Fresh regularised best-of-n pairs every step (Jinnai et al. 2024; THEORY.md §8), so DPO, IPO and BoNBoN can train on
/// RBoN pairs: draw prompts uniformly, sample n responses per prompt from the reference policy p, score each candidate
/// with the regularised score s_i of <see cref="RegularizedBestOfN"/>, and pair the candidate with the highest s_i
/// (the RBoN choice) with the candidate with the lowest s_i.
/// <para>
/// The rejected response is the worst by the same regularised score, not by the plain reward: the pair is then the two
/// ends of the one ordering the selection defines, so with β = 0 the source is exactly
/// <see cref="BestWorstPairSource"/>, and for RBoN_KL the pair is a best/worst-of-n pair of the reward
/// s(y) = r(y) + β·log p(y), whose exact laws are <c>Tilting.BestOfN</c> / <c>Tilting.WorstOfN</c> of that reward.
/// Ties in s are broken uniformly at random, and chosen and rejected are different candidates
/// (<see cref="CandidateSelection.BestAndWorstIndices"/>).
/// </para>
/// </summary>
public sealed class RegularizedPairSource : IPreferencePairSource
{
    private readonly ISequencePolicy reference;
    private readonly Tensor prompts;
    private readonly Tensor? promptMask;
    private readonly IRewardFunction reward;
    private readonly SamplingOptions sampling;
    private readonly IResponseDistance? distance;

    private RegularizedPairSource(ISequencePolicy reference, Tensor prompts, IRewardFunction reward, int n, double beta,
        IResponseDistance? distance, SamplingOptions sampling, Tensor? promptMask)
    {
        this.reference = reference ?? throw new ArgumentNullException(nameof(reference));
        this.prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
        PromptDraw.CheckMask(prompts, promptMask);
        this.promptMask = promptMask;
        this.reward = reward ?? throw new ArgumentNullException(nameof(reward));
        this.sampling = (sampling ?? throw new ArgumentNullException(nameof(sampling))).Validate();
        if (n < 2) throw new ArgumentException($"n must be >= 2 for regularised best/worst pairs (got {n}).", nameof(n));
        if (!(beta >= 0) || double.IsInfinity(beta)) throw new ArgumentException($"beta must be >= 0 and finite (got {beta}).", nameof(beta));
        this.distance = distance;
        N = n;
        Beta = beta;
    }

    /// <summary>
    /// RBoN_KL pairs: s_i = r(y_i) + β·log p(y_i), p = <paramref name="reference"/> (THEORY.md §8), from n samples per
    /// prompt of the prompts [P, Lp] (left-padded where <paramref name="promptMask"/> [P, Lp] is 0; null: none padded).
    /// </summary>
    public static RegularizedPairSource Kl(ISequencePolicy reference, Tensor prompts, IRewardFunction reward, int n, double beta, SamplingOptions sampling,
        Tensor? promptMask = null) =>
        new(reference, prompts, reward, n, beta, null, sampling, promptMask);

    /// <summary>
    /// RBoN_WD pairs: s_i = r(y_i) − β·(1/n)·Σ_j d(y_i, y_j) with the response distance <paramref name="distance"/>
    /// (THEORY.md §8), from n samples per prompt of <paramref name="reference"/> for the prompts [P, Lp] (left-padded
    /// where <paramref name="promptMask"/> [P, Lp] is 0; null: none padded).
    /// </summary>
    public static RegularizedPairSource Wasserstein(ISequencePolicy reference, Tensor prompts, IRewardFunction reward, int n, double beta,
        IResponseDistance distance, SamplingOptions sampling, Tensor? promptMask = null) =>
        new(reference, prompts, reward, n, beta, distance ?? throw new ArgumentNullException(nameof(distance)), sampling, promptMask);

    /// <summary>Samples per prompt, n.</summary>
    public int N { get; }

    /// <summary>Regularisation strength β ≥ 0.</summary>
    public double Beta { get; }

    /// <summary>"rbon-kl" or "rbon-wd".</summary>
    public string Rule => distance is null ? "rbon-kl" : "rbon-wd";

    /// <inheritdoc />
    public PreferenceBatch Next(int batchSize, torch.Generator generator)
    {
        if (batchSize < 1) throw new ArgumentException($"batchSize must be >= 1 (got {batchSize}).", nameof(batchSize));
        ArgumentNullException.ThrowIfNull(generator);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (_, batchPrompts, batchMask) = PromptDraw.Next(prompts, promptMask, batchSize, generator);
        using var batch = reference.Sample(batchPrompts, N, sampling, generator, batchMask);
        var rewards = reward.Score(batch.Prompts, batch.Responses, batch.PromptMask).reshape(-1, N);
        // The base log-probabilities are needed for the pair's reference log-probs anyway; RBoN_KL also scores with them.
        var logProbs = reference.SequenceLogProbs(batch.Prompts, batch.Responses, batch.PromptMask).detach().reshape(-1, N);
        var scores = distance is null
            ? RegularizedBestOfN.KlScores(rewards, logProbs.to(rewards.dtype), Beta)
            : RegularizedBestOfN.WassersteinScores(rewards, batch.Responses.reshape(batchSize, N, -1), distance, Beta);
        using var picks = CandidateSelection.BestAndWorstIndices(scores, generator);
        var chosen = CandidateSelection.Gather(batch.Responses, picks.Best, N);
        var rejected = CandidateSelection.Gather(batch.Responses, picks.Worst, N);
        var chosenLogProbs = logProbs.gather(1, picks.Best.unsqueeze(1)).squeeze(1);
        var rejectedLogProbs = logProbs.gather(1, picks.Worst.unsqueeze(1)).squeeze(1);
        return new PreferenceBatch(batchPrompts.MoveToOuterDisposeScope(), chosen.MoveToOuterDisposeScope(), rejected.MoveToOuterDisposeScope(),
            chosenLogProbs.MoveToOuterDisposeScope(), rejectedLogProbs.MoveToOuterDisposeScope(), batchMask?.MoveToOuterDisposeScope());
    }
}
