using AlignLab.Models.Generation;
using static TorchSharp.torch;

namespace AlignLab.Models.Tests.Generation;

public class LogitFilterTests
{
    private static float[] Probabilities(float[] logits, int topK, double topP)
    {
        using var z = tensor(logits).unsqueeze(0);
        using var filtered = LogitFilter.Apply(z, topK, topP);
        using var p = filtered.softmax(-1);
        return p.reshape(-1).data<float>().ToArray();
    }

    [Fact]
    public void TopK_KeepsEveryTokenTiedWithTheKth_WhateverItsIndex()
    {
        float[] logits = [1f, 3f, 2f, 2f, 0f];
        var p = Probabilities(logits, topK: 2, topP: 1);
        double z = Math.Exp(3) + 2 * Math.Exp(2);
        Assert.Equal([0, Math.Exp(3) / z, Math.Exp(2) / z, Math.Exp(2) / z, 0], p.Select(x => (double)x), new ToleranceComparer(1e-6));
        // Reversing the vocabulary reverses the result: no dependence on index order.
        var reversed = Probabilities(logits.Reverse().ToArray(), topK: 2, topP: 1);
        Assert.Equal(p.Reverse().Select(x => (double)x), reversed.Select(x => (double)x), new ToleranceComparer(1e-6));
    }

    [Fact]
    public void TopP_KeepsTheSmallestPrefixReachingP_AndAlwaysTheFirst()
    {
        float[] logits = [MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.2f)];
        Assert.Equal([0.5 / 0.8, 0.3 / 0.8, 0], Probabilities(logits, 0, 0.8).Select(x => (double)x), new ToleranceComparer(1e-6));
        Assert.Equal([1.0, 0, 0], Probabilities(logits, 0, 0.01).Select(x => (double)x), new ToleranceComparer(1e-6));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;

        public int GetHashCode(double x) => 0;
    }
}
