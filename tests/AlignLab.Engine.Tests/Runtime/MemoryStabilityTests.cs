using System.Diagnostics;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Rewards;
using AlignLab.Engine.Runtime;
using AlignLab.Engine.Training;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Runtime;

/// <summary>
/// Long runs do not leak: every tensor of sampling and training lives in a dispose scope. Runs alone (its collection
/// disables parallelisation) because it measures the whole process's resident memory.
/// </summary>
[Collection(MemoryStabilityCollection.Name)]
public class MemoryStabilityTests
{
    private static readonly TinyGptConfig Config = new(VocabSize: 6, PromptLength: 3, DModel: 32, Heads: 2, Layers: 2, MaxLength: 8);

    [Fact]
    public void LongSamplingAndTraining_KeepsLiveTensorsAndMemoryFlat()
    {
        // After a warm-up (allocator pools, optimizer state), further steps must not add live tensors or resident memory.
        using var context = ComputeContext.Create(new ComputeOptions(7, "cpu"));
        using var model = new TinyGpt(Config);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        using var prompts = randint(6, [16, 3], dtype: ScalarType.Int64, generator: context.Generator);
        void Steps(int count)
        {
            for (int s = 0; s < count; s++)
            {
                using var scope = NewDisposeScope();
                var batch = model.Sample(prompts, 8, new SamplingOptions(5), context.Generator);
                var loss = -model.SequenceLogProbs(batch.Prompts, batch.Responses).mean();
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
        }
        AssertFlat(() => Steps(50), () => Steps(200), "sampling and training");
    }

    [Theory]
    [InlineData("dpo")]
    [InlineData("rlhf")]
    public void LongTrainerRuns_OfAPairMethodAndAnRlooMethod_KeepLiveTensorsAndMemoryFlat(string kind)
    {
        // The whole loop: trainer (AdamW state, clipping, logging), a pair source sampling fresh best/worst-of-n pairs or
        // on-policy RLOO samples, and the method's loss, run for 200 steps after a 30-step warm-up.
        using var context = ComputeContext.Create(new ComputeOptions(7, "cpu"));
        using var reference = context.Place(new TinyGpt(Config));
        reference.eval();
        using var policy = context.Place(new TinyGpt(Config));
        using var prompts = randint(6, [16, 3], dtype: ScalarType.Int64, device: context.Device, generator: context.Generator);
        var reward = GoldRewards.SymbolCount(0);
        var sampling = new SamplingOptions(5);
        IAlignmentMethod method = kind == "dpo"
            ? new DpoMethod(policy, new BestWorstPairSource(reference, prompts, reward, 4, sampling), new DpoConfig(Beta: 0.5, BatchSize: 8))
            : new RlhfMethod(policy, reference, prompts, reward, new RlhfConfig(sampling, Beta: 0.5, SamplesPerPrompt: 4, BatchSize: 8));
        void Train(int steps) => new Trainer(new TrainerConfig(Steps: steps, LearningRate: 1e-3, LogEvery: 10, Seed: steps)).Run(method);
        AssertFlat(() => Train(30), () => Train(200), kind + " training");
    }

    /// <summary>
    /// After <paramref name="warmUp"/> (allocator pools, optimiser state), <paramref name="run"/> must leave the number of
    /// live tensors unchanged and resident memory flat: a leak of a step's activations would grow by hundreds of KB per
    /// step (≥ 50 MB over 200 steps), so 30 MB allows for allocator noise only.
    /// </summary>
    private static void AssertFlat(Action warmUp, Action run, string what)
    {
        warmUp();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long rss = Process.GetCurrentProcess().WorkingSet64;
        run();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long growth = Process.GetCurrentProcess().WorkingSet64 - rss;
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.True(growth < 30L << 20, $"{what}: resident memory grew by {growth >> 20} MB");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryStabilityCollection
{
    public const string Name = "memory stability";
}
