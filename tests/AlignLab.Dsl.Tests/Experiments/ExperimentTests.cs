using AlignLab.Dsl;

namespace AlignLab.Dsl.Tests.Experiments;

/// <summary>The builder and the validation pass: every invalid plan fails before any training, naming the problem.</summary>
public sealed class ExperimentTests
{
    private static readonly string Store = Path.Combine(Path.GetTempPath(), "alignlab-never-written-" + Guid.NewGuid().ToString("N"));

    private static Experiment Valid() =>
        Experiment.Named("t").Compare(Methods.BonBon(n: 8, alpha: 0.1), Methods.BestOfN(8)).StoreIn(Store).WithProgress(false);

    private static ExperimentValidationException RunFails(Experiment experiment)
    {
        var e = Assert.Throws<ExperimentValidationException>(() => experiment.Run());
        Assert.False(Directory.Exists(Store), "validation must fail before a run (or any training) starts");
        return e;
    }

    [Fact]
    public void ValidPlan_HasNoProblems() => Assert.Empty(Valid().Validate());

    [Fact]
    public void NegativeN_FailsBeforeTraining_NamingMethodAndValue()
    {
        var e = RunFails(Valid().Compare(Methods.Dpo(beta: 0.1, n: -3)));
        var problem = Assert.Single(e.Problems);
        Assert.Contains("method[2] DPO(n=-3, β=0.1)", problem);
        Assert.Contains("n must be >= 2", problem);
        Assert.Contains("(got -3)", problem);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void AlphaOutsideUnitInterval_FailsBeforeTraining(double alpha)
    {
        var e = RunFails(Valid().Compare(Methods.BonBon(n: 4, alpha: alpha)));
        Assert.Contains("alpha must be in [0, 1]", Assert.Single(e.Problems));
    }

    [Fact]
    public void NonPositiveBeta_IsReportedForDpoIpoAndRlhf()
    {
        var problems = Valid().Compare(Methods.Dpo(beta: 0), Methods.Ipo(beta: -1), Methods.Rlhf(beta: double.PositiveInfinity)).Validate();
        Assert.Equal(3, problems.Count);
        Assert.All(problems, p => Assert.Contains("beta must be a positive number", p));
    }

    [Fact]
    public void UnknownMetric_IsReportedWithTheKnownNames()
    {
        var e = RunFails(Valid().Evaluate(Metrics.Kl, Metrics.Named("win_rat")));
        var problem = Assert.Single(e.Problems);
        Assert.Contains("metric[1] 'win_rat' is unknown", problem);
        Assert.Contains("win_rate", problem);
    }

    [Fact]
    public void LengthMetric_IsUnknown_TheToyTaskHasOneResponseLength()
    {
        // Every toy response has exactly responseLength symbols, so there is no length metric to report.
        var problem = Assert.Single(Valid().Evaluate(Metrics.Named("length")).Validate());
        Assert.Contains("'length' is unknown", problem);
    }

    [Fact]
    public void UnknownDeviceAndNegativeThreads_AreReported()
    {
        var problems = Valid().OnDevice("tpu-9000").WithThreads(-1).Validate();
        Assert.Contains(problems, p => p.StartsWith("device:", StringComparison.Ordinal) && p.Contains("tpu-9000"));
        Assert.Contains(problems, p => p.Contains("threads must be >= 0"));
    }

    [Fact]
    public void ExactMetricsOnNonEnumerableTask_AreReported()
    {
        var problems = Valid().On(Tasks.ToyLanguage(responseLength: 9)).Validate();
        Assert.Contains(problems, p => p.Contains("10,077,696 responses per prompt") && p.Contains("shorten responseLength"));
    }

    [Fact]
    public void FrontiersWithoutKlAndWinRate_AreReported()
    {
        var problem = Assert.Single(Valid().Evaluate(Metrics.Reward).WithFrontiers(Frontier.BestOfN).Validate());
        Assert.Contains("add Metrics.Kl and Metrics.WinRate", problem);
    }

    [Fact]
    public void NoMethods_AndDuplicateRows_AreReported()
    {
        Assert.Contains("no methods to compare", Assert.Single(Experiment.Named("empty").Validate()));
        var duplicate = Assert.Single(Valid().Compare(Methods.BestOfN(4).Named("best-of-n(n=8)")).Validate());
        Assert.Contains("methods [1, 2] share the row name 'best-of-n(n=8)'", duplicate);
        Assert.Empty(Valid().Compare(Methods.BestOfN(4).Named("again")).Validate());
        // The same method, parameters and seed twice is one row of the row store, whatever the labels.
        var same = Assert.Single(Valid().Compare(Methods.BestOfN(8).Named("again")).Validate());
        Assert.Contains("methods [1, 2] compute the same row (key bestofn-n8-seed0", same);
    }

    [Fact]
    public void EveryProblemIsListed_NotOnlyTheFirst()
    {
        var e = RunFails(Valid().Compare(Methods.BonBon(n: 1, alpha: 2)).Evaluate(Metrics.Named("nope")));
        Assert.Equal(3, e.Problems.Count);
        Assert.Contains("3 problems", e.Message);
    }

    [Fact]
    public void Builder_IsImmutable_AndAccumulates()
    {
        var start = Experiment.Named("a");
        var one = start.Compare(Methods.Dpo());
        var two = one.Compare([Methods.Ipo(), Methods.Rlhf()]).Evaluate(Metrics.Kl).WithSeed(7).Quick();
        Assert.Empty(start.MethodSpecs);
        Assert.Single(one.MethodSpecs);
        Assert.Equal(["DPO(n=8, β=0.1)", "IPO(n=8, β=0.1)", "RLHF(β=0.1)"], two.MethodSpecs.Select(m => m.DisplayName));
        Assert.Equal(7, two.Seed);
        Assert.Same(ExperimentScale.Quick, two.Scale);
        Assert.Same(ExperimentScale.Default, two.Quick(false).WithScale(ExperimentScale.Default).Scale);
        Assert.Equal(Metrics.Default, one.EffectiveMetrics);
        Assert.Equal([Metrics.Kl], two.EffectiveMetrics);
    }
}
