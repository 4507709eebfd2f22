using AlignLab.Engine.Methods;
using AlignLab.Engine.Rewards;
using AlignLab.Engine.Selection;
using AlignLab.Engine.Training;
using AlignLab.Models;
using AlignLab.Models.Generation;
using AlignLab.Models.HuggingFace;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

/// <summary>
/// Every method on a tiny GPT-2 with prompts of different lengths, left-padded with a mask: one step gives a finite loss
/// equal to the loss of the same step with three more padding columns. The reward is a tiny reward model that reads the
/// prompt, so a Sample, log-prob or Score call that drops the mask sees the padding as text and changes the loss.
/// Models run in float64 so that equality holds to 1e-9 of the loss, far below any effect of padding read as tokens.
/// </summary>
public sealed class PaddedPromptMethodTests
{
    private const long Eos = 1;
    private const long PadId = 0;

    // Four prompts of 2 to 5 tokens (ids 2..23: neither padding nor the end token).
    private static readonly long[][] PromptTokens = [[5, 9], [7, 3, 12], [4, 8, 6, 11], [2, 13, 10, 14, 15]];

    private static readonly TransformerConfig Config = new("gpt2", VocabSize: 24, HiddenSize: 16, Layers: 2, Heads: 2, IntermediateSize: 32,
        MaxPositions: 32, EosTokenIds: [Eos]);

    private static readonly SamplingOptions Sampling = new(MaxLength: 5, EndTokens: [Eos]);

    public static TheoryData<string> Methods() =>
        ["sft", "sft-bon", "bonbon", "dpo", "ipo-rbon", "vbon", "bond", "j-bond", "rlhf", "reward-model"];

    [Theory]
    [MemberData(nameof(Methods))]
    public void OneStep_IsFinite_AndDoesNotDependOnHowMuchThePromptsArePadded(string method)
    {
        var narrow = StepLoss(method, width: 5);
        var wide = StepLoss(method, width: 8);
        Assert.True(double.IsFinite(narrow), $"{method}: loss {narrow}");
        Assert.Equal(narrow, wide, 1e-9 * Math.Max(1, Math.Abs(narrow)));
    }

    [Fact]
    public void PaddedPrompts_ChangeTheLoss_WhenTheMaskIsDropped()
    {
        // The check above can fail: the same RLHF step reading the padding as prompt tokens gives another loss.
        var masked = StepLoss("rlhf", width: 8);
        var unmasked = StepLoss("rlhf", width: 8, dropMask: true);
        Assert.True(Math.Abs(masked - unmasked) > 1e-6, $"masked {masked}, unmasked {unmasked}");
    }

    [Fact]
    public void MasklessProgrammaticReward_RefusesPaddedPrompts_AndScoresUnpaddedOnes()
    {
        var reward = new FunctionReward("prompt-sum", (x, y) => x.sum(1) + y.sum(1));
        var (prompts, mask) = LeftPadded(5);
        using var p = prompts;
        using var m = mask;
        using var responses = ones(prompts.shape[0], 3, ScalarType.Int64);
        var error = Assert.Throws<NotSupportedException>(() => reward.Score(prompts, responses, mask));
        Assert.Contains("reward 'prompt-sum' cannot score left-padded prompts", error.Message);

        using var policy = Policy(seed: 1);
        using var reference = Policy(seed: 1);
        var rlhf = new RlhfMethod(policy, reference, prompts, reward, new RlhfConfig(Sampling, SamplesPerPrompt: 2, BatchSize: 2), mask);
        using var generator = new Generator(3);
        Assert.Contains("'prompt-sum'", Assert.Throws<NotSupportedException>(() => rlhf.Step(generator)).Message);

        // Reward modelling with a score that cannot see the mask refuses padded data up front.
        using var rm = Reward();
        using var data = new PreferenceDataset(prompts.clone(), Responses(), Responses(), mask.clone());
        Assert.Contains("score takes no prompt mask", Assert.Throws<ArgumentException>(
            () => new RewardModelMethod(rm.Model, (x, y) => rm.Model.forward(cat([x, y], 1)), data, new RewardModelConfig())).Message);

        using var full = ones_like(mask);
        Assert.Equal(reward.Score(prompts, responses).data<double>().ToArray(), reward.Score(prompts, responses, full).data<double>().ToArray());
        Assert.Equal(reward.Score(prompts, responses).data<double>().ToArray(), reward.Score(prompts, responses, null).data<double>().ToArray());
    }

    [Fact]
    public void FunctionRewards_OfResponsesOrTakingTheMask_ScorePaddedPrompts()
    {
        var (prompts, mask) = LeftPadded(6);
        using var p = prompts;
        using var m = mask;
        using var responses = tensor(new long[] { 3, 4, Eos, 5, 6, 7, 8, 9 }, 4, 2);
        var responseSum = FunctionReward.OfResponses("response-sum", y => y.sum(1));
        Assert.Equal(new double[] { 7, 6, 13, 17 }, responseSum.Score(prompts, responses, mask).data<double>().ToArray());
        var promptLength = new FunctionReward("prompt-length", (x, _, promptMask) => promptMask is null ? ones_like(x).sum(1) : promptMask.sum(1));
        Assert.Equal(new double[] { 2, 3, 4, 5 }, promptLength.Score(prompts, responses, mask).data<double>().ToArray());
        Assert.Equal(new double[] { 6, 6, 6, 6 }, promptLength.Score(prompts, responses).data<double>().ToArray());
    }

    /// <summary>The loss of one step of <paramref name="method"/> with the prompts left-padded to <paramref name="width"/> columns.</summary>
    private static double StepLoss(string method, int width, bool dropMask = false)
    {
        var (prompts, mask) = LeftPadded(width);
        var promptMask = dropMask ? null : mask;
        using var policy = Policy(seed: 1);
        using var reference = Policy(seed: 1);
        using var anchor = Policy(seed: 1);
        using var reward = Reward();
        using var generator = new Generator(11);
        using var dataGenerator = new Generator(5);
        var disposables = new List<IDisposable>();
        try
        {
            IAlignmentMethod m = method switch
            {
                "sft" => new SftMethod(policy, prompts, Responses(), new SftConfig(BatchSize: 6), promptMask),
                "sft-bon" => new SftBonMethod(policy, reference, prompts, reward, new SftBonConfig(Sampling, N: 3, BatchSize: 4), promptMask),
                "bonbon" => new BonBonMethod(policy, new BestWorstPairSource(reference, prompts, reward, 4, Sampling, promptMask),
                    new BonBonConfig(N: 4, BatchSize: 4, EndTokens: [Eos])),
                "dpo" => new DpoMethod(policy, Own(disposables, new DatasetPairSource(
                    Own(disposables, PreferenceDataset.FromBestOfN(reference, prompts, 2, 3, reward, Sampling, dataGenerator, promptMask)), reference)),
                    new DpoConfig(Beta: 0.5, BatchSize: 6)),
                "ipo-rbon" => new IpoMethod(policy, RegularizedPairSource.Kl(reference, prompts, reward, 3, 0.5, Sampling, promptMask), new IpoConfig(BatchSize: 4)),
                "vbon" => Own(disposables, new VbonMethod(policy, reference, prompts, reward,
                    new VbonConfig(Sampling, N: 3, BaseSamples: 8, SamplesPerPrompt: 3, BatchSize: 4), promptMask)),
                "bond" or "j-bond" => new BondMethod(policy, anchor, reference, prompts, reward,
                    new BondConfig(Sampling, N: 2, AnchorDecay: method == "j-bond" ? 0.1 : 0, AnchorSamples: 6, SamplesPerPrompt: 3,
                        KlRegularization: 0.1, BatchSize: 4), promptMask),
                "rlhf" => new RlhfMethod(policy, reference, prompts, reward, new RlhfConfig(Sampling, SamplesPerPrompt: 3, BatchSize: 4), promptMask),
                "reward-model" => new RewardModelMethod(reward.Model, ScoreWithMask(reward.Model),
                    Own(disposables, PreferenceDataset.FromBase(reference, prompts, 2, reward, PairLabeling.Deterministic, 0, Sampling, dataGenerator, promptMask)),
                    new RewardModelConfig(BatchSize: 6)),
                _ => throw new ArgumentException(method),
            };
            if (m is IDisposable owned) disposables.Add(owned);
            var loss = m.Step(generator).Loss;
            loss.backward();
            return loss.item<double>();
        }
        finally
        {
            foreach (var d in disposables) d.Dispose();
            prompts.Dispose();
            mask.Dispose();
        }
    }

    private static T Own<T>(List<IDisposable> disposables, T value) where T : IDisposable
    {
        disposables.Add(value);
        return value;
    }

    /// <summary>The prompts left-padded to <paramref name="width"/> columns with their mask (true = real token).</summary>
    private static (Tensor Prompts, Tensor Mask) LeftPadded(int width)
    {
        var ids = new long[PromptTokens.Length, width];
        var mask = new bool[PromptTokens.Length, width];
        for (int i = 0; i < PromptTokens.Length; i++)
            for (int j = 0; j < width; j++)
            {
                var k = j - (width - PromptTokens[i].Length);
                ids[i, j] = k >= 0 ? PromptTokens[i][k] : PadId;
                mask[i, j] = k >= 0;
            }
        return (tensor(ids), tensor(mask));
    }

    /// <summary>One response per prompt, right-padded after the end token.</summary>
    private static Tensor Responses() => tensor(new long[] { 3, 4, Eos, Eos, 5, 6, 7, 8, 9, Eos, Eos, Eos, 10, 11, 12, Eos }, 4, 4);

    private static CausalLm Policy(long seed)
    {
        manual_seed(seed);
        var model = HuggingFaceFolder.Create(Config);
        model.to(ScalarType.Float64);
        return model;
    }

    /// <summary>A tiny reward model over the policy's ids (no tokenizer): it reads prompt ⊕ response, the padding dropped.</summary>
    private static SequenceClassifierReward Reward()
    {
        manual_seed(7);
        var model = new SequenceClassificationModel(Config);
        model.to(ScalarType.Float64);
        return new SequenceClassifierReward(model, tokenizer: null, name: "tiny-rm", endTokens: [Eos]);
    }

    /// <summary>The reward model's differentiable score of prompt ⊕ response: prompt padding and the response from its end token masked.</summary>
    private static Func<Tensor, Tensor, Tensor?, Tensor> ScoreWithMask(SequenceClassificationModel model) => (x, y, m) =>
    {
        var ends = y.eq(Eos).to(ScalarType.Int64);
        var beforeEnd = ends.cumsum(1).eq(0);
        var promptMask = m ?? ones_like(x, ScalarType.Bool);
        return model.forward(cat([x, y], 1), cat([promptMask.to(ScalarType.Bool), beforeEnd], 1));
    };
}
