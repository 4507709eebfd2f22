namespace AlignLab.Theory.Tests;

public class SoftmaxTests
{
    [Fact]
    public void Probabilities_NormaliseLogWeights_AndGiveZeroToMinusInfinity()
    {
        var p = Softmax.Probabilities(new[] { 1000.0, 1000.0 + Math.Log(3.0), double.NegativeInfinity });
        // exp(1000) would overflow; 1000 + log 3 is itself rounded to ulp(1000) ≈ 1.1e-13, hence the tolerance.
        Assert.Equal(0.25, p[0], 1e-12);
        Assert.Equal(0.75, p[1], 1e-12);
        Assert.Equal(0.0, p[2]);
    }

    [Fact]
    public void LogProbabilities_AreTheLogsOfProbabilities_AndRejectNoFiniteWeight()
    {
        double[] w = [0.3, -2.0, 5.0, double.NegativeInfinity];
        var p = Softmax.Probabilities(w);
        var logP = Softmax.LogProbabilities(w);
        for (int i = 0; i < w.Length; i++) Assert.Equal(Math.Log(p[i]), logP[i], 1e-12);
        Assert.Throws<ArgumentException>(() => Softmax.Probabilities([double.NegativeInfinity, double.NegativeInfinity]));
    }
}
