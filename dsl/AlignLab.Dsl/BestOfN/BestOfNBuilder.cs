using AlignLab.Engine.Datasets;
using AlignLab.Engine.Rewards;
using AlignLab.Engine.Runtime;
using static TorchSharp.torch;

namespace AlignLab.Dsl;

/// <summary>
/// Builds best-of-n data, the step the papers run once and reuse (BoNBoN, IPO-BoN, SFT-BoN): for each prompt, n
/// samples from the policy, their rewards and log-probs, and the best and worst. The draws of prompt i depend only on
/// (<see cref="GenerationOptions.Seed"/>, i) — <see cref="PromptSeed"/> — so a run split into parts, or resumed after
/// a kill, gives the same records as one uninterrupted run.
/// </summary>
public sealed class BestOfNBuilder
{
    private readonly LanguageModel _policy;
    private readonly IRewardFunction _reward;
    private readonly GenerationOptions _options;

    /// <summary>Samples from <paramref name="policy"/> as <paramref name="options"/> say (N samples per prompt) and scores with <paramref name="reward"/>.</summary>
    public BestOfNBuilder(LanguageModel policy, IRewardFunction reward, GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reward);
        _policy = policy;
        _reward = reward;
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
    }

    /// <summary>
    /// The seed of prompt <paramref name="index"/>'s draws: SplitMix64 of (seed, index), a bijective mix so that
    /// neighbouring prompts get unrelated streams.
    /// </summary>
    public static long PromptSeed(long seed, int index)
    {
        ulong z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL * ((ulong)index + 1));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (long)((z ^ (z >> 31)) >> 1);
    }

    /// <summary>
    /// Builds the records of <paramref name="rows"/> from index <paramref name="start"/> on (the whole records an earlier
    /// run left, <see cref="BestOfNFile.Resume"/>) and appends each to <paramref name="path"/> as soon as it is done,
    /// calling <paramref name="done"/> with the number of prompts finished so far. What <c>alignlab bon build</c> and
    /// <see cref="RealTaskSpec.BuildBestOfN"/> run. <paramref name="cancellationToken"/> (by default the script host's
    /// Ctrl-C, <see cref="AmbientCancellation.Token"/>) stops it between prompts with an <see cref="OperationCanceledException"/>;
    /// the records written so far stay, and the next call continues after them.
    /// </summary>
    public void Append(IReadOnlyList<PromptRow> rows, int start, string path, Action<int>? done = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        cancellationToken = AmbientCancellation.Or(cancellationToken);
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        for (int i = start; i < rows.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BestOfNFile.Append(file, Build(i, rows[i].Prompt, rows[i].Line));
            done?.Invoke(i + 1);
        }
    }

    /// <summary>The record of prompt <paramref name="index"/> (<paramref name="prompt"/>, read from line <paramref name="line"/>).</summary>
    public BestOfNRecord Build(int index, string prompt, int line)
    {
        var samples = _policy.Generate(prompt, _options with { Seed = PromptSeed(_options.Seed, index) });
        var promptIds = _policy.EncodePrompt(prompt);
        int n = samples.Count, length = samples.Max(s => s.Ids.Count);
        var responses = new long[n, length];
        var mask = new long[n, length];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < length; t++)
            {
                // Past its end a row repeats its last id (the EOS of a finished sample), which the mask and the reward's cut ignore.
                responses[i, t] = samples[i].Ids[Math.Min(t, samples[i].Ids.Count - 1)];
                mask[i, t] = t < samples[i].Ids.Count ? 1 : 0;
            }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = _policy.Policy.parameters().First().device;
        var promptRows = tensor(promptIds.Select(id => (long)id).ToArray(), device: device).unsqueeze(0).expand(n, -1).contiguous();
        var responseRows = tensor(responses, device: device);
        var logProbs = _policy.Policy.SequenceLogProbs(promptRows, responseRows, null, tensor(mask, device: device)).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var rewards = _reward.Score(promptRows, responseRows).to(ScalarType.Float64).cpu().data<double>().ToArray();

        var records = samples.Select((s, i) => new BestOfNSample(s.Text, s.Ids, s.Finished, rewards[i], logProbs[i], s.LogProb)).ToArray();
        int best = 0, worst = 0;
        for (int i = 1; i < n; i++)
        {
            if (rewards[i] > rewards[best]) best = i;
            if (rewards[i] < rewards[worst]) worst = i;
        }
        return new BestOfNRecord(index, line, prompt, records, best, worst);
    }
}
