namespace AlignLab.Theory.Tests;

public class LogMathTests
{
    [Fact]
    public void Log1p_IsAccurateForTinyArguments()
    {
        // log(1 + x) = x − x²/2 + x³/3 − …
        Assert.Equal(1e-20, LogMath.Log1p(1e-20));
        Assert.Equal(-1e-7 - 0.5e-14 - 1e-21 / 3, LogMath.Log1p(-1e-7), 5e-23);
        Assert.Equal(Math.Log(2.5), LogMath.Log1p(1.5), 1e-15);
        Assert.Equal(double.NegativeInfinity, LogMath.Log1p(-1.0));
    }

    [Fact]
    public void Expm1_IsAccurateForTinyArguments()
    {
        Assert.Equal(1e-10 + 0.5e-20, LogMath.Expm1(1e-10), 1e-30);
        Assert.Equal(-1e-4 + 0.5e-8 - 1e-12 / 6 + 1e-16 / 24, LogMath.Expm1(-1e-4), 1e-20);
        Assert.Equal(Math.E - 1.0, LogMath.Expm1(1.0), 1e-15);
        Assert.Equal(-1.0, LogMath.Expm1(-800.0));
    }

    [Fact]
    public void Log1mExp_MatchesItsDefinition_AndIsAccurateNearZero()
    {
        Assert.Equal(Math.Log(1.0 - Math.Exp(-3.0)), LogMath.Log1mExp(-3.0), 1e-15);
        // 1 − e^{−x} = x − x²/2 + … for x = 1e-12: log of it is log(1e-12) − 5e-13.
        Assert.Equal(Math.Log(1e-12) - 5e-13, LogMath.Log1mExp(-1e-12), 1e-15);
        Assert.Equal(double.NegativeInfinity, LogMath.Log1mExp(0.0));
        Assert.Equal(0.0, LogMath.Log1mExp(double.NegativeInfinity));
    }
}
