using AlignLab.Engine.Policies;
using AlignLab.Engine.Runtime;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Runtime;

public class ComputeContextTests
{
    private static readonly TinyGptConfig Config = new(VocabSize: 6, PromptLength: 3, DModel: 32, Heads: 2, Layers: 2, MaxLength: 8);

    /// <summary>Creates a model, then alternates sampling and a likelihood step on the samples; returns tokens and losses.</summary>
    private static (long[] Tokens, float[] Losses) Run(long seed, int steps)
    {
        using var context = ComputeContext.Create(new ComputeOptions(seed, "cpu"));
        using var model = new TinyGpt(Config);
        using var optimizer = optim.Adam(model.parameters(), 1e-2);
        using var prompts = randint(6, [4, 3], dtype: ScalarType.Int64, generator: context.Generator);
        var tokens = new List<long>();
        var losses = new List<float>();
        for (int s = 0; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            var batch = model.Sample(prompts, 4, new SamplingOptions(5), context.Generator);
            tokens.AddRange(batch.Responses.data<long>().ToArray());
            var loss = -model.SequenceLogProbs(batch.Prompts, batch.Responses).mean();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        return (tokens.ToArray(), losses.ToArray());
    }

    [Fact]
    public void SameSeed_GivesBitIdenticalSamplesAndLosses()
    {
        var a = Run(42, 5);
        var b = Run(42, 5);
        Assert.Equal(a.Tokens, b.Tokens);
        Assert.Equal(a.Losses, b.Losses); // exact float equality, not a tolerance
        var c = Run(43, 5);
        Assert.NotEqual(a.Losses, c.Losses);
    }

    [Fact]
    public void Device_DefaultsToCudaWhenAvailable_ElseCpu_AndRejectsUnknownNames()
    {
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, ComputeContext.ResolveDevice(null).type);
        Assert.Equal(DeviceType.CPU, ComputeContext.ResolveDevice("cpu").type);
        Assert.Throws<ArgumentException>(() => ComputeContext.ResolveDevice("tpu-9000"));
        if (!cuda.is_available())
            Assert.Contains("not available", Assert.Throws<ArgumentException>(() => ComputeContext.ResolveDevice("cuda")).Message);
    }

    [Fact]
    public void InvalidOptions_Throw()
    {
        Assert.Throws<ArgumentException>(() => ComputeContext.Create(new ComputeOptions(Threads: -1)));
        Assert.Throws<ArgumentException>(() => ComputeContext.Create(new ComputeOptions(DType: ScalarType.Int64)));
    }

    [Fact]
    public void Place_MovesAModuleToTheContextsDtype_AndSeedInitialisation_FixesItsWeights()
    {
        using var context = ComputeContext.Create(new ComputeOptions(3, "cpu", ScalarType.Float64));
        context.SeedInitialisation(11);
        using var a = context.Place(new TinyGpt(Config));
        context.SeedInitialisation(11);
        using var b = context.Place(new TinyGpt(Config));
        Assert.All(a.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.All(a.parameters().Zip(b.parameters()), pair => Assert.Equal(0.0, (pair.First - pair.Second).abs().max().item<double>()));
        Assert.StartsWith("cpu, Float64, ", context.Describe(), StringComparison.Ordinal);
    }
}

/// <summary>Tests that change torch's process-wide thread count, which would change the float sums of tests beside them.</summary>
[Collection(ThreadCountCollection.Name)]
public class ComputeContextThreadTests
{
    [Fact]
    public void Threads_AreSetForTheContext_AndGivenBackOnDispose()
    {
        int before = get_num_threads();
        int wanted = before == 1 ? 2 : 1;
        using (ComputeContext.Create(new ComputeOptions(Threads: wanted, Device: "cpu")))
            Assert.Equal(wanted, get_num_threads());
        Assert.Equal(before, get_num_threads());
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountCollection
{
    public const string Name = "torch thread count";
}
