using AlignLab.Engine.Bayesian;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Rewards;
using AlignLab.Engine.Runtime;
using AlignLab.Engine.Selection;
using AlignLab.Engine.Tasks;
using AlignLab.Engine.Training;
using AlignLab.Models.Generation;
using AlignLab.Models.Lora;
using AlignLab.Theory;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Experiments;

/// <summary>
/// The reward over-optimisation experiment (issue 5 item 5; THEORY.md §7): a proxy <see cref="RewardModel"/>,
/// initialised from the base's trunk, is fitted by Bradley–Terry to a few noisy preference pairs of base samples
/// labelled by the toy task's gold reward, and Laplace-approximated (<see cref="LaplaceRewardModel"/>). Then, per prompt
/// and exactly by enumeration, best-of-n on the proxy is π_n = <see cref="Tilting.BestOfN(RewardDistribution, double)"/>
/// of the base probabilities with the proxy as the ranking reward, and its gold reward E_{π_n}[r_gold], proxy reward and
/// KL(π_n‖p) are exact finite sums. The same for the penalised proxies r* − k·σ, and for BoN on the gold reward itself
/// (the reference). Goodhart's law shows as gold reward falling (or flattening) while the proxy reward keeps rising.
/// </summary>
public static class OverOptimisation
{
    private const int HeldOutPairsPerPrompt = 64;

    /// <summary>Runs the experiment; <paramref name="log"/> receives progress lines.</summary>
    public static OverOptimisationResult Run(OverOptimisationConfig config, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        log ??= _ => { };
        using var context = ComputeContext.Create(config.ComputeOptions);
        log($"compute: {context.Describe()}");
        using var task = new ToyTask(config.Task, context);
        using var basePolicy = task.LoadOrPretrainBase(config.Base, config.CacheDirectory);
        basePolicy.eval();
        var sampling = new SamplingOptions(MaxLength: config.Task.ResponseLength);

        using var pairs = PreferenceDataset.FromBase(basePolicy, task.Prompts, config.PairsPerPrompt, task.GoldReward, config.Labeling, config.LabelNoise, sampling, context.Generator);
        using var heldOut = PreferenceDataset.FromBase(basePolicy, task.Prompts, HeldOutPairsPerPrompt, task.GoldReward, PairLabeling.Deterministic, 0, sampling, context.Generator);
        log($"{pairs.Count} training pairs ({config.PairsPerPrompt} per prompt, label noise {config.LabelNoise}); {heldOut.Count} held-out pairs");

        using var proxy = TrainProxy(task, basePolicy, pairs, config, context);
        var trainAccuracy = Accuracy(proxy, pairs);
        var heldOutAccuracy = Accuracy(proxy, heldOut);
        log($"proxy Bradley–Terry accuracy: train {trainAccuracy:F3}, held-out (noise-free) {heldOutAccuracy:F3}");

        using var laplace = LaplaceRewardModel.Fit(proxy, pairs.Prompts, pairs.Chosen, pairs.Rejected, config.Laplace);
        log($"Laplace ({config.Laplace.Subset}, {config.Laplace.Structure}) over {laplace.ParameterCount} parameters, prior precision λ = {laplace.PriorPrecision:G4}");

        var points = Evaluate(task, basePolicy, laplace, config);
        return new OverOptimisationResult(points, trainAccuracy, heldOutAccuracy, laplace.PriorPrecision);
    }

    private static RewardModel TrainProxy(ToyTask task, TinyGpt basePolicy, PreferenceDataset pairs, OverOptimisationConfig config, ComputeContext context)
    {
        context.SeedInitialisation(config.Seed);
        var proxy = context.Place(new RewardModel(task.ModelConfig(config.Base), "proxy"));
        proxy.Trunk.load_state_dict(basePolicy.Trunk.state_dict());
        if (config.Laplace.Subset == LaplaceSubset.Lora)
        {
            LoraAdapters.Apply(proxy, config.Lora, name => name.StartsWith("trunk"));
            foreach (var p in proxy.Head.parameters()) p.requires_grad = true;
        }
        proxy.train();
        var trainer = new Trainer(new TrainerConfig(Steps: config.RewardModelSteps, LearningRate: config.RewardModelLearningRate,
            LogEvery: config.RewardModelSteps, Seed: config.Seed));
        trainer.Run(new RewardModelMethod(proxy, proxy.forward, pairs, new RewardModelConfig(config.RewardModelBatchSize)));
        proxy.eval();
        return proxy;
    }

    // Fraction of pairs the proxy orders as labelled, ties counted half.
    private static double Accuracy(RewardModel proxy, PreferenceDataset pairs)
    {
        using var scope = NewDisposeScope();
        var margin = proxy.Score(pairs.Prompts, pairs.Chosen) - proxy.Score(pairs.Prompts, pairs.Rejected);
        return ((margin > 0).to(ScalarType.Float64) + 0.5 * (margin == 0).to(ScalarType.Float64)).mean().item<double>();
    }

    private static List<OverOptimisationPoint> Evaluate(ToyTask task, TinyGpt basePolicy, LaplaceRewardModel laplace, OverOptimisationConfig config)
    {
        var responses = task.AllResponses;
        var variants = new List<(string Name, double K)> { ("gold", 0), ("proxy", 0) };
        variants.AddRange(config.PenaltyWeights.Select(k => ("proxy-penalised", k)));
        var sums = new double[variants.Count, config.Ns.Count, 4];
        int promptCount = Enumeration.PromptCount(task);
        for (int k = 0; k < promptCount; k++)
        {
            var p = Enumeration.Probabilities(task, basePolicy, k);
            var gold = Enumeration.Values(task, task.GoldReward, k);
            using var scope = NewDisposeScope();
            var rows = task.Prompts[k].unsqueeze(0).expand(responses.shape[0], -1);
            var (m, s) = laplace.ScoreWithUncertainty(rows, responses);
            var (meanTensor, stdTensor) = (m.to(ScalarType.Float64), s.to(ScalarType.Float64));
            var mean = Host(meanTensor);
            var goldDistribution = new RewardDistribution(p, gold);
            for (int v = 0; v < variants.Count; v++)
            {
                var (name, weight) = variants[v];
                // The proxy itself is the penalised proxy with k = 0.
                var ranking = name == "gold" ? gold : Host(PenalizedReward.Apply(meanTensor, stdTensor, weight, config.Penalty));
                var distribution = new RewardDistribution(p, ranking);
                for (int j = 0; j < config.Ns.Count; j++)
                {
                    var pi = Tilting.BestOfN(distribution, config.Ns[j]).Probabilities;
                    sums[v, j, 0] += Measures.Kl(goldDistribution, pi);
                    sums[v, j, 1] += Measures.ExpectedReward(goldDistribution, pi);
                    sums[v, j, 2] += pi.Select((q, i) => q * mean[i]).Sum();
                    sums[v, j, 3] += Measures.WinRate(goldDistribution, pi);
                }
            }
        }
        var points = new List<OverOptimisationPoint>();
        for (int v = 0; v < variants.Count; v++)
            for (int j = 0; j < config.Ns.Count; j++)
                points.Add(new OverOptimisationPoint(variants[v].Name, variants[v].K, config.Ns[j],
                    sums[v, j, 0] / promptCount, sums[v, j, 1] / promptCount, sums[v, j, 2] / promptCount, sums[v, j, 3] / promptCount));
        return points;
    }

    private static double[] Host(Tensor values) => values.cpu().data<double>().ToArray();
}
