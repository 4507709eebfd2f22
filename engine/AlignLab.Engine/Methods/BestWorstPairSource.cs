using AlignLab.Engine.Rewards;
using AlignLab.Engine.Selection;
using AlignLab.Models;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// Fresh best-of-n pairs every step (BoNBoN, IPO-BoN; THEORY.md §4): draw prompts uniformly from a prompt set, sample n
/// responses per prompt from the reference policy, and pair the best with the worst under the reward (ties uniformly at
/// random, <see cref="CandidateSelection.BestAndWorstIndices"/>).
/// </summary>
public sealed class BestWorstPairSource : IPreferencePairSource
{
    private readonly ISequencePolicy reference;
    private readonly Tensor prompts;
    private readonly Tensor? promptMask;
    private readonly IRewardFunction reward;
    private readonly SamplingOptions sampling;

    /// <summary>
    /// Pairs from n samples of <paramref name="reference"/> for the prompts [P, Lp] (left-padded where
    /// <paramref name="promptMask"/> [P, Lp] is 0; null: none padded), ranked by <paramref name="reward"/>.
    /// </summary>
    public BestWorstPairSource(ISequencePolicy reference, Tensor prompts, IRewardFunction reward, int n, SamplingOptions sampling, Tensor? promptMask = null)
    {
        this.reference = reference ?? throw new ArgumentNullException(nameof(reference));
        this.prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
        PromptDraw.CheckMask(prompts, promptMask);
        this.promptMask = promptMask;
        this.reward = reward ?? throw new ArgumentNullException(nameof(reward));
        this.sampling = (sampling ?? throw new ArgumentNullException(nameof(sampling))).Validate();
        if (n < 2) throw new ArgumentException($"n must be >= 2 for best/worst pairs (got {n}).", nameof(n));
        N = n;
    }

    /// <summary>Samples per prompt, n.</summary>
    public int N { get; }

    /// <inheritdoc />
    public PreferenceBatch Next(int batchSize, torch.Generator generator)
    {
        if (batchSize < 1) throw new ArgumentException($"batchSize must be >= 1 (got {batchSize}).", nameof(batchSize));
        var (_, batchPrompts, batchMask) = PromptDraw.Next(prompts, promptMask, batchSize, generator);
        var (best, worst) = Draw(reference, batchPrompts, N, reward, sampling, generator, batchMask);
        using var noGrad = no_grad();
        return new PreferenceBatch(batchPrompts, best, worst,
            reference.SequenceLogProbs(batchPrompts, best, batchMask).detach(), reference.SequenceLogProbs(batchPrompts, worst, batchMask).detach(), batchMask);
    }

    /// <summary>The best and worst of n samples of <paramref name="policy"/> for each prompt row: responses [B, L] each.</summary>
    internal static (Tensor Best, Tensor Worst) Draw(ISequencePolicy policy, Tensor prompts, int n, IRewardFunction reward, SamplingOptions sampling, torch.Generator generator,
        Tensor? promptMask = null)
    {
        using var noGrad = no_grad();
        using var batch = policy.Sample(prompts, n, sampling, generator, promptMask);
        using var rewards = reward.Score(batch.Prompts, batch.Responses, batch.PromptMask).reshape(-1, n);
        using var picks = CandidateSelection.BestAndWorstIndices(rewards, generator);
        return (CandidateSelection.Gather(batch.Responses, picks.Best, n), CandidateSelection.Gather(batch.Responses, picks.Worst, n));
    }

    /// <summary>The best of n samples of <paramref name="policy"/> for each prompt row: responses [B, L].</summary>
    internal static Tensor DrawBest(ISequencePolicy policy, Tensor prompts, int n, IRewardFunction reward, SamplingOptions sampling, torch.Generator generator,
        Tensor? promptMask = null)
    {
        using var noGrad = no_grad();
        using var batch = policy.Sample(prompts, n, sampling, generator, promptMask);
        using var rewards = reward.Score(batch.Prompts, batch.Responses, batch.PromptMask).reshape(-1, n);
        using var best = CandidateSelection.BestIndices(rewards, generator);
        return CandidateSelection.Gather(batch.Responses, best, n);
    }
}
