using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

public class TabularMinimizerTests
{
    [Fact]
    public void Optimum_IsCentred_AndStationary()
    {
        var d = ObjectiveFixtures.Tied();
        var optimum = TabularMinimizer.Minimize(new DpoObjective(d, 1.0), ObjectiveFixtures.Log(d.Probabilities));
        Assert.Equal(0.0, optimum.Logits.Sum(), 10);
        Assert.True(optimum.GradientNorm < 1e-8, $"gradient norm {optimum.GradientNorm}");
        Assert.Equal(1.0, optimum.Probabilities.Sum(), 12);
    }

    [Fact]
    public void WrongLengthStart_Throws_NamingLogits()
    {
        var e = Assert.Throws<ArgumentException>(() => TabularMinimizer.Minimize(new SftOnBestObjective(ObjectiveFixtures.Tied(), 2), [0.0, 1.0]));
        Assert.Equal("logits", e.ParamName);
        Assert.Contains("2", e.Message);
    }
}
