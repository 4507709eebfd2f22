using AlignLab.Engine.Methods;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

public class SftMethodTests
{
    [Fact]
    public void TrainedOnDataset_LandsOnItsEmpiricalDistribution()
    {
        // 1,000 rows: outcome y appears counts[y] times; the optimum of the expected NLL is counts / 1000.
        long[] counts = [100, 300, 50, 250, 200, 100];
        var responses = counts.SelectMany((c, y) => Enumerable.Repeat((long)y, (int)c)).ToArray();
        using var responseTensor = tensor(responses).reshape(-1, 1);
        using var prompts = zeros(responses.Length, 1, ScalarType.Int64);
        var trained = TabularFixtures.Train(p => new SftMethod(p, prompts, responseTensor, new SftConfig(BatchSize: 64)));
        var kl = TabularFixtures.Kl(trained, counts.Select(c => c / 1000.0).ToArray());
        Assert.True(kl < TabularFixtures.KlTolerance, $"KL(trained || data) = {kl}");
    }

    [Fact]
    public void MismatchedRows_Throw()
    {
        using var prompts = zeros(3, 1, ScalarType.Int64);
        using var responses = zeros(2, 1, ScalarType.Int64);
        Assert.Equal("responses", Assert.Throws<ArgumentException>(() => new SftMethod(TabularFixtures.Trainable(), prompts, responses, new SftConfig())).ParamName);
    }
}
