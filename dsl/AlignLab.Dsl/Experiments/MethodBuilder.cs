using AlignLab.Engine.Methods;
using AlignLab.Engine.Models;
using AlignLab.Engine.Tasks;
using AlignLab.Engine.Training;
using AlignLab.Theory;

namespace AlignLab.Dsl;

/// <summary>Turns a <see cref="MethodSpec"/> into the engine's method object for a policy on the toy task.</summary>
internal static class MethodBuilder
{
    /// <summary>
    /// The engine method training <paramref name="policy"/> against the frozen <paramref name="reference"/> (the base);
    /// <paramref name="anchor"/> is J-BOND's moving anchor (a second copy of the base), unused by the others.
    /// </summary>
    public static IAlignmentMethod Build(MethodSpec spec, ToyTask task, TinyGpt policy, TinyGpt reference, TinyGpt? anchor, ExperimentScale scale, long seed)
    {
        var sampling = new SamplingOptions(MaxLength: task.Config.ResponseLength);
        var prompts = task.Prompts;
        var reward = task.GoldReward;
        BestWorstPairSource Pairs() => new(reference, prompts, reward, spec.N, sampling);
        return spec.Kind switch
        {
            MethodKind.SftBon => new SftBonMethod(policy, reference, prompts, reward, new SftBonConfig(sampling, spec.N, scale.PairBatchSize)),
            MethodKind.BonBon => new BonBonMethod(policy, Pairs(), new BonBonConfig(spec.N, spec.AlphaByRule ? null : spec.Alpha, null, scale.PairBatchSize,
                spec.Variant ?? BonBonConfig.DefaultVariant)),
            MethodKind.IpoBon => new IpoMethod(policy, Pairs(), new IpoConfig(BonBonConstants.IpoBeta(spec.N), scale.PairBatchSize)),
            MethodKind.Dpo => new DpoMethod(policy, Pairs(), new DpoConfig(spec.Beta, scale.PairBatchSize)),
            MethodKind.Ipo => new IpoMethod(policy, Pairs(), new IpoConfig(spec.Beta, scale.PairBatchSize)),
            MethodKind.Vbon => new VbonMethod(policy, reference, prompts, reward,
                new VbonConfig(sampling, spec.N, scale.CdfSamples, scale.SamplesPerPrompt, scale.PromptBatchSize, CdfSeed: seed)),
            MethodKind.Bond or MethodKind.JBond => new BondMethod(policy, anchor ?? reference, reference, prompts, reward,
                new BondConfig(sampling, spec.N, spec.Beta, spec.Kind == MethodKind.JBond ? spec.AnchorDecay : 0.0,
                    scale.CdfSamples, scale.SamplesPerPrompt, BatchSize: scale.PromptBatchSize)),
            MethodKind.Rlhf => new RlhfMethod(policy, reference, prompts, reward, new RlhfConfig(sampling, spec.Beta, scale.SamplesPerPrompt, scale.PromptBatchSize)),
            _ => throw new ArgumentException($"{spec.KindName} is not a trained method.", nameof(spec)),
        };
    }
}
