using AlignLab.Engine.Methods;
using AlignLab.Engine.Rewards;
using AlignLab.Engine.Selection;
using AlignLab.Models;
using AlignLab.Models.Generation;
using AlignLab.Theory;
using static TorchSharp.torch;

namespace AlignLab.Engine.Estimation;

/// <summary>
/// Evaluation by sampling, for tasks nothing can enumerate (real models, real rewards): win rate, KL, expected reward and
/// response length of a policy against a reference, and the same for best-of-n of the reference (the BoN_n baseline),
/// each with its standard error. <see cref="ExactEvaluation"/> computes the same quantities exactly on enumerable tasks.
/// <para>Every prompt of the fixed set gets m = <see cref="MonteCarloConfig.SamplesPerPrompt"/> samples per model and
/// the figures are uniform averages over prompts, with the stratified standard error
/// SE² = Σ_k s_k²/(m·K²) (<see cref="MonteCarloEstimators.Stratified"/>; m = 1 falls back to the i.i.d. s/√K).
/// Prompts are left-padded int64 [K, Lp] with an optional <c>promptMask</c> (true = token); responses are drawn with
/// <see cref="ISequencePolicy.Sample"/> (the KV cache on causal LMs), without gradients, batch by batch.</para>
/// </summary>
public static class MonteCarloEvaluation
{
    /// <summary>
    /// Estimates, from m samples of <paramref name="policy"/> π and m of <paramref name="reference"/> p per prompt:
    /// <list type="bullet">
    /// <item>win rate W = mean of 1[r(y_j) &gt; r(y'_j)] + ½·1[r(y_j) = r(y'_j)], pairing the j-th samples y_j ~ π and y'_j ~ p of a prompt;</item>
    /// <item>KL = mean of log π(y_j|x) − log p(y_j|x) over the policy's own samples. The log-probabilities are those of the
    /// unfiltered models (temperature 1, no top-k/top-p), so with the default sampling this estimates KL(π‖p); when
    /// <see cref="MonteCarloConfig.Sampling"/> filters, the samples come from the filtered π and the figure is
    /// E_{π filtered}[log π/p] of the unfiltered models, not a KL of the filtered ones;</item>
    /// <item>expected reward E_π[r] and length E_π[|y|] (tokens up to and including the end token) from the same samples.</item>
    /// </list>
    /// Rewards come from <see cref="IRewardFunction.Score(Tensor, Tensor, Tensor?)"/> with the prompt mask. When
    /// <paramref name="policy"/> is <paramref name="reference"/> itself, KL (0) and win rate (½) are exact and only the
    /// policy's samples are drawn.
    /// <paramref name="progress"/>, when given, receives the fraction of prompts done after each batch.
    /// </summary>
    public static MonteCarloMetrics Evaluate(ISequencePolicy policy, ISequencePolicy reference, IRewardFunction reward,
        Tensor prompts, Tensor? promptMask, MonteCarloConfig config, Generator generator, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reference);
        Check(reward, prompts, promptMask, config, generator);
        int m = config.SamplesPerPrompt;
        // The reference against itself: its log-ratio is 0 on every sample and its win rate exactly ½ (two independent
        // samples are exchangeable and ties count half), so only its own samples are drawn and only reward and length estimated.
        bool itself = ReferenceEquals(policy, reference);
        var rewards = new Figure("reward");
        var referenceRewards = new Figure("reference reward");
        var logPolicy = new Figure("log π(y|x)");
        var logReference = new Figure("log p(y|x)");
        var lengths = new Figure("length");
        ForEachBatch(prompts, promptMask, config, progress, (x, mask) =>
        {
            var sampled = policy.Sample(x, m, config.Sampling, generator, mask);
            rewards.Add(reward.Score(sampled.Prompts, sampled.Responses, sampled.PromptMask));
            lengths.Add(ResponseLengths.Of(sampled.Responses, config.Sampling.EndTokens ?? []));
            if (itself) return;
            var fresh = reference.Sample(x, m, config.Sampling, generator, mask);
            referenceRewards.Add(reward.Score(fresh.Prompts, fresh.Responses, fresh.PromptMask));
            // Both log-probs by the same scorer, so a policy equal to the reference gives exactly 0 per sample.
            logPolicy.Add(SequenceScorer.LogProbs(policy, sampled.Prompts, sampled.Responses, promptMask: sampled.PromptMask));
            logReference.Add(SequenceScorer.LogProbs(reference, sampled.Prompts, sampled.Responses, promptMask: sampled.PromptMask));
        });
        using var r = rewards.Values(m);
        using var length = lengths.Values(m);
        if (itself)
            return new MonteCarloMetrics(new Estimate(0.5, 0, r.shape[0]), new Estimate(0, 0, r.shape[0]),
                MonteCarloEstimators.Mean(r, m), MonteCarloEstimators.Mean(length, m));
        using var rFresh = referenceRewards.Values(m);
        using var logPi = logPolicy.Values(m);
        using var logRef = logReference.Values(m);
        return new MonteCarloMetrics(MonteCarloEstimators.WinRate(r, rFresh, m), MonteCarloEstimators.Kl(logPi, logRef, m),
            MonteCarloEstimators.Mean(r, m), MonteCarloEstimators.Mean(length, m));
    }

    /// <summary>
    /// The BoN_n baseline: per prompt, m draws of best-of-<paramref name="n"/> from <paramref name="reference"/> (n
    /// candidates each, the best under <paramref name="reward"/>, ties broken uniformly at random as
    /// <see cref="CandidateSelection"/> does) and m fresh reference samples. Win rate, expected reward and length as in
    /// <see cref="Evaluate"/>, the draws in the policy's place.
    /// <para>KL: the mean of the estimated log-ratio log π_n(y)/p(y) over the draws y (THEORY.md §1, §4). The ratio of
    /// best-of-n is a function of the reward's CDF F alone — n·F(r)^{n−1} for continuous rewards, whose expectation is
    /// exactly log n − (n−1)/n — and with ties (F⁻ the CDF below r, q = F − F⁻) it is (Fⁿ − F⁻ⁿ)/q.
    /// <see cref="EmpiricalRewardCdf.LogBestOfNRatio"/> computes it from the empirical CDF of the M = (m−1)·n + m reference
    /// rewards of the prompt that are independent of y (the candidates of its other m − 1 draws and the m fresh
    /// samples; y's own group is left out, being conditioned on losing to y). The plug-in is biased low by O(n/M)
    /// (continuous rewards: ≈ 0.09 nats at n = 4, M = 16; ≈ 0.04 at M = 36), so raise m for a sharper estimate. Its standard
    /// error treats the draws' terms as independent; the shared reward samples make it conservative (simulated with
    /// continuous rewards, 32 prompts, m = 4 or 8: 30–45% above the estimator's actual spread).</para>
    /// <para><see cref="MonteCarloMetrics.KlBound"/> is the exact bound log n − (n−1)/n (Beirami et al. 2024), attained
    /// by continuous rewards and larger than the true KL when the reference puts mass on tied rewards.</para>
    /// </summary>
    public static MonteCarloMetrics EvaluateBestOfN(ISequencePolicy reference, IRewardFunction reward, int n,
        Tensor prompts, Tensor? promptMask, MonteCarloConfig config, Generator generator, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (n < 1) throw new ArgumentException($"n must be >= 1 (got {n}).", nameof(n));
        Check(reward, prompts, promptMask, config, generator);
        int m = config.SamplesPerPrompt;
        var rewards = new Figure("best-of-n reward");
        var referenceRewards = new Figure("reference reward");
        var logRatios = new Figure("best-of-n log-ratio");
        var lengths = new Figure("length");
        ForEachBatch(prompts, promptMask, config, progress, (x, mask) =>
        {
            long b = x.shape[0];
            // Rows (k·m + g)·n + c: candidate c of draw g of prompt k.
            var candidates = reference.Sample(x, m * n, config.Sampling, generator, mask);
            var fresh = reference.Sample(x, m, config.Sampling, generator, mask);
            var candidateRewards = reward.Score(candidates.Prompts, candidates.Responses, candidates.PromptMask).to(ScalarType.Float64).view(b * m, n);
            var freshRewards = reward.Score(fresh.Prompts, fresh.Responses, fresh.PromptMask).to(ScalarType.Float64);
            var best = CandidateSelection.BestIndices(candidateRewards, generator);
            var bestRewards = candidateRewards.gather(1, best.unsqueeze(1));
            rewards.Add(bestRewards.view(-1));
            referenceRewards.Add(freshRewards);
            logRatios.Add(EmpiricalRewardCdf.LogBestOfNRatio(IndependentPools(candidateRewards, freshRewards, m, n), bestRewards, n).view(-1));
            lengths.Add(ResponseLengths.Of(CandidateSelection.Gather(candidates.Responses, best, n), config.Sampling.EndTokens ?? []));
        });
        using var r = rewards.Values(m);
        using var rFresh = referenceRewards.Values(m);
        using var logRatio = logRatios.Values(m);
        using var length = lengths.Values(m);
        return new MonteCarloMetrics(MonteCarloEstimators.WinRate(r, rFresh, m), MonteCarloEstimators.Mean(logRatio, m),
            MonteCarloEstimators.Mean(r, m), MonteCarloEstimators.Mean(length, m), KlBound: ContinuousCase.BonKl(n));
    }

    /// <summary>
    /// For each draw (row k·m + g), the reference rewards of prompt k not tied to that draw: the candidates of the other
    /// m − 1 draws and the m fresh samples, [B·m, (m−1)·n + m].
    /// </summary>
    private static Tensor IndependentPools(Tensor candidateRewards, Tensor freshRewards, int m, int n)
    {
        var byPrompt = candidateRewards.view(-1, m, n);
        long b = byPrompt.shape[0];
        var fresh = freshRewards.view(b, 1, m).expand(b, m, m);
        if (m == 1) return fresh.reshape(b * m, m);
        // Draw g keeps the groups g' ≠ g: index the other groups by g' = (g + 1 + i) mod m, i < m − 1.
        var others = (arange(m, ScalarType.Int64, byPrompt.device).view(m, 1) + 1 + arange(m - 1, ScalarType.Int64, byPrompt.device).view(1, m - 1)).remainder(m);
        var otherCandidates = byPrompt.index_select(1, others.view(-1)).reshape(b, m, (m - 1) * n);
        return cat([otherCandidates, fresh], 2).reshape(b * m, (m - 1) * n + m);
    }

    private static void ForEachBatch(Tensor prompts, Tensor? promptMask, MonteCarloConfig config, IProgress<double>? progress, Action<Tensor, Tensor?> evaluate)
    {
        long count = prompts.shape[0];
        using var noGrad = no_grad();
        for (long start = 0; start < count; start += config.BatchSize)
        {
            using var scope = NewDisposeScope();
            long end = Math.Min(start + config.BatchSize, count);
            var range = TensorIndex.Slice(start, end);
            evaluate(prompts[range], promptMask?[range]);
            progress?.Report((double)end / count);
        }
    }

    private static void Check(IRewardFunction reward, Tensor prompts, Tensor? promptMask, MonteCarloConfig config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(reward);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(generator);
        config.Validate();
        if (prompts.dim() != 2 || prompts.shape[0] < 1 || prompts.dtype != ScalarType.Int64)
            throw new ArgumentException($"prompts must be int64 [K, Lp] with K >= 1 (got {prompts.dtype} [{string.Join(", ", prompts.shape)}]).", nameof(prompts));
        if (promptMask is not null && !promptMask.shape.SequenceEqual(prompts.shape))
            throw new ArgumentException($"promptMask must have the prompts' shape [{string.Join(", ", prompts.shape)}] (got [{string.Join(", ", promptMask.shape)}]).", nameof(promptMask));
    }

    /// <summary>
    /// One figure's per-sample values, gathered batch by batch on the CPU in float64 (they outlive the batch's dispose
    /// scope); <see cref="Values"/> joins them and names the prompt and sample of a non-finite value (a NaN reward, an
    /// infinite log-ratio) rather than letting it spoil the estimate.
    /// </summary>
    private sealed class Figure(string name)
    {
        private readonly List<Tensor> _parts = [];

        public void Add(Tensor values) => _parts.Add(values.detach().to(ScalarType.Float64).cpu().MoveToOuterDisposeScope());

        public Tensor Values(int samplesPerPrompt)
        {
            using var scope = NewDisposeScope();
            var all = cat(_parts, 0);
            foreach (var part in _parts) part.Dispose();
            _parts.Clear();
            var finite = all.isfinite();
            if (finite.all().item<bool>()) return all.MoveToOuterDisposeScope();
            long bad = finite.logical_not().nonzero()[0, 0].item<long>();
            throw new InvalidOperationException($"The {name} of sample {bad % samplesPerPrompt} of prompt {bad / samplesPerPrompt} is {all[bad].item<double>()}, not finite.");
        }
    }
}
