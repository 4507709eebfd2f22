using AlignLab.Engine.Methods;
using AlignLab.Engine.Rewards;
using AlignLab.Engine.Training;
using AlignLab.Models;
using AlignLab.Models.Generation;
using AlignLab.Theory;
using static TorchSharp.torch;

namespace AlignLab.Dsl;

/// <summary>
/// Turns a <see cref="MethodSpec"/> into the engine's method object, the same for the toy task and for real models:
/// only the inputs (<see cref="MethodInputs"/>) differ.
/// </summary>
internal static class MethodBuilder
{
    /// <summary>
    /// What a row's method trains on. <paramref name="Policy"/> is trained against the frozen <paramref name="Reference"/>
    /// (the base, or the policy with its LoRA adapters off); <paramref name="Anchor"/> is J-BOND's moving anchor (a second
    /// copy of the base), unused by the others. <paramref name="Prompts"/> [N, P] are the training prompts, left-padded
    /// under <paramref name="PromptMask"/> (null: none padded); <paramref name="Sampling"/> says how responses are drawn.
    /// <paramref name="OfflinePairs"/>, when given, are best/worst-of-n pairs read from a file, which the pair methods
    /// and SFT-BoN train on instead of sampling fresh ones.
    /// </summary>
    public sealed record MethodInputs(
        ISequencePolicy Policy, ISequencePolicy Reference, ISequencePolicy? Anchor, Tensor Prompts, Tensor? PromptMask, IRewardFunction Reward,
        SamplingOptions Sampling, PreferenceDataset? OfflinePairs = null);

    /// <summary>A built method and what it owns (the tensors of its pair source, its own state): dispose after training.</summary>
    public sealed record Built(IAlignmentMethod Method, IReadOnlyList<IDisposable> Owned) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose()
        {
            (Method as IDisposable)?.Dispose();
            foreach (var owned in Owned) owned.Dispose();
        }
    }

    /// <summary>The engine method of <paramref name="spec"/> on <paramref name="inputs"/> at <paramref name="scale"/> (vBoN's CDF draws from <paramref name="seed"/>).</summary>
    public static Built Build(MethodSpec spec, MethodInputs inputs, ExperimentScale scale, long seed)
    {
        var (policy, reference, prompts, mask, reward, sampling, offline) =
            (inputs.Policy, inputs.Reference, inputs.Prompts, inputs.PromptMask, inputs.Reward, inputs.Sampling, inputs.OfflinePairs);
        var owned = new List<IDisposable>();
        IPreferencePairSource Pairs()
        {
            if (offline is null) return new BestWorstPairSource(reference, prompts, reward, spec.N, sampling, mask);
            // Caches the reference's log-probs of every pair once, for the whole row.
            var source = new DatasetPairSource(offline, reference);
            owned.Add(source);
            return source;
        }
        IAlignmentMethod method = spec.Kind switch
        {
            MethodKind.SftBon when offline is not null => new SftMethod(policy, offline.Prompts, offline.Chosen, new SftConfig(scale.PairBatchSize), offline.PromptMask),
            MethodKind.SftBon => new SftBonMethod(policy, reference, prompts, reward, new SftBonConfig(sampling, spec.N, scale.PairBatchSize), mask),
            MethodKind.BonBon => new BonBonMethod(policy, Pairs(), new BonBonConfig(spec.N, spec.AlphaByRule ? null : spec.Alpha, null, scale.PairBatchSize,
                spec.Variant ?? BonBonConfig.DefaultVariant, sampling.EndTokens)),
            MethodKind.IpoBon => new IpoMethod(policy, Pairs(), new IpoConfig(BonBonConstants.IpoBeta(spec.N), scale.PairBatchSize)),
            MethodKind.Dpo => new DpoMethod(policy, Pairs(), new DpoConfig(spec.Beta, scale.PairBatchSize)),
            MethodKind.Ipo => new IpoMethod(policy, Pairs(), new IpoConfig(spec.Beta, scale.PairBatchSize)),
            MethodKind.Vbon => new VbonMethod(policy, reference, prompts, reward,
                new VbonConfig(sampling, spec.N, scale.CdfSamples, scale.SamplesPerPrompt, scale.PromptBatchSize, CdfSeed: seed), mask),
            MethodKind.Bond or MethodKind.JBond => new BondMethod(policy, inputs.Anchor ?? reference, reference, prompts, reward,
                new BondConfig(sampling, spec.N, spec.Beta, spec.Kind == MethodKind.JBond ? spec.AnchorDecay : 0.0,
                    scale.CdfSamples, scale.SamplesPerPrompt, BatchSize: scale.PromptBatchSize), mask),
            MethodKind.Rlhf => new RlhfMethod(policy, reference, prompts, reward, new RlhfConfig(sampling, spec.Beta, scale.SamplesPerPrompt, scale.PromptBatchSize), mask),
            _ => throw new ArgumentException($"{spec.KindName} is not a trained method.", nameof(spec)),
        };
        return new Built(method, owned);
    }
}
