using AlignLab.Engine.Selection;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Selection;

public class HammingDistanceTests
{
    [Fact]
    public void Pairwise_IsFractionOfDifferingPositions_Symmetric()
    {
        using var candidates = tensor(new long[] { 1, 2, 3, 1, 0, 3 }).reshape(1, 2, 3);
        using var d = new HammingDistance().Pairwise(candidates);
        Assert.Equal(new[] { 0.0, 1.0 / 3, 1.0 / 3, 0.0 }, d.reshape(-1).data<double>().ToArray());
    }
}
