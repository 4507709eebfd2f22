using AlignLab.Dsl;

namespace AlignLab.Dsl.Tests.Experiments;

public sealed class MethodSpecTests
{
    [Fact]
    public void Sweep_GivesOneMethodPerGridPoint_InRowMajorOrder()
    {
        var grid = Methods.Dpo().Sweep(n: [4, 8], beta: [0.05, 0.1, 0.5]);
        Assert.Equal(6, grid.Count);
        Assert.Equal([4, 4, 4, 8, 8, 8], grid.Select(m => m.N));
        Assert.Equal([0.05, 0.1, 0.5, 0.05, 0.1, 0.5], grid.Select(m => m.Beta));
        Assert.Equal(6, grid.Select(m => m.DisplayName).Distinct().Count());
    }

    [Fact]
    public void BonBonDefault_IsTheRulesAlphaInTheDefaultForm_AndASweptAlphaReplacesTheRule()
    {
        var bonbon = Methods.BonBon();
        Assert.True(bonbon.AlphaByRule);
        Assert.Equal(AlignLab.Engine.Methods.BonBonConfig.DefaultVariant, bonbon.Variant);
        Assert.Empty(bonbon.Problems());
        Assert.Equal("BoNBoN(n=8, α=rule)", bonbon.DisplayName);
        Assert.Equal("BoNBoN(n=8, α=0.1, SquaredSum)", Methods.BonBon(alpha: 0.1, variant: AlignLab.Theory.Objectives.BonBonVariant.SquaredSum).DisplayName);
        var swept = bonbon.Sweep(alpha: [0.2]);
        Assert.False(Assert.Single(swept).AlphaByRule);
        Assert.Equal("BoNBoN(n=8, α=0.2)", swept[0].DisplayName);
        Assert.NotEmpty(Methods.BonBon(alpha: double.NaN).Problems());
    }

    [Fact]
    public void Sweep_KeepsParametersNotSwept()
    {
        var grid = Methods.BonBon(n: 16).Sweep(alpha: [0.0, 1.0]);
        Assert.All(grid, m => Assert.Equal(16, m.N));
        Assert.Equal(["BoNBoN(n=16, α=0)", "BoNBoN(n=16, α=1)"], grid.Select(m => m.DisplayName));
    }

    [Fact]
    public void Sweep_OfNamedMethod_KeepsRowNamesDistinct()
    {
        var grid = Methods.Rlhf().Named("rl").Sweep(beta: [0.1, 1.0]);
        Assert.Equal(["rl[β=0.1]", "rl[β=1]"], grid.Select(m => m.DisplayName));
    }

    [Fact]
    public void Sweep_OfAParameterTheMethodLacks_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => Methods.Rlhf().Sweep(alpha: [0.1]));
        Assert.Equal("alpha", e.ParamName);
        Assert.Contains("RLHF has no parameter 'alpha' to sweep; its parameters are: beta", e.Message);
        Assert.Throws<ArgumentException>(() => Methods.BonBon().Sweep(alpha: []));
    }

    [Fact]
    public void Problems_NameEachInvalidParameter()
    {
        Assert.Empty(Methods.JBond().Problems());
        Assert.Contains("anchorDecay must be in (0, 1]", Assert.Single(Methods.JBond(anchorDecay: 0).Problems()));
        Assert.Contains("Jeffreys mixing weight", Assert.Single(Methods.Bond(beta: 2).Problems()));
        Assert.Contains("steps must be >= 1", Assert.Single(Methods.Vbon().WithSteps(-1).Problems()));
        Assert.Contains("n must be >= 1", Assert.Single(Methods.BestOfN(0).Problems()));
    }

    [Fact]
    public void Key_NamesMethodParametersAndSeed_NotTheLabel()
    {
        Assert.Equal("bonbon-n8-alpha0.1-seed0", Methods.BonBon(n: 8, alpha: 0.1).Key(0));
        Assert.Equal("bonbon-n8-alpha0.1-seed0", Methods.BonBon(n: 8, alpha: 0.1).Named("mine").Key(0));
        Assert.Equal("dpo-n8-beta0.05-steps600-lr0.0001-seed3", Methods.Dpo(beta: 0.05, n: 8).WithSteps(600).WithLearningRate(1e-4).Key(3));
        Assert.Equal("jbond-n2-beta0.5-eta0.05-seed0", Methods.JBond().Key(0));
        Assert.Equal("rlhf-beta1-seed0", Methods.Rlhf(beta: 1).Key(0));
        Assert.Equal("base-seed0", Methods.Base().Key(0));
    }
}
