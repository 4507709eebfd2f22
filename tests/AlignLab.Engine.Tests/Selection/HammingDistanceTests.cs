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
        Assert.Equal(new[] { 0f, 1f / 3, 1f / 3, 0f }, d.reshape(-1).data<float>().ToArray());
    }
}
