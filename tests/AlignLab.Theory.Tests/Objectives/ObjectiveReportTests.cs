using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

public class ObjectiveReportTests
{
    [Fact]
    public void SftOnBest_ReportLandsOnBestOfN()
    {
        var d = ObjectiveFixtures.Tied();
        var report = ObjectiveReport.Create(new SftOnBestObjective(d, 4), d, 4);
        Assert.True(report.KlToBestOfN < 1e-12);
        Assert.Equal(report.BestOfNKlToBase, report.KlToBase, 7);
        Assert.Equal(report.BestOfNWinRate, report.WinRate, 7);
    }

    [Fact]
    public void Describe_Base_HasZeroKlAndHalfWinRate()
    {
        var d = ObjectiveFixtures.Tied();
        var report = ObjectiveReport.Describe("base", d.Probabilities, d, 4);
        Assert.Equal(0.0, report.KlToBase, 12);
        Assert.Equal(0.5, report.WinRate, 12);
    }

    [Fact]
    public void Describe_WrongLength_Throws()
    {
        var d = ObjectiveFixtures.Tied();
        Assert.Throws<ArgumentException>(() => ObjectiveReport.Describe("x", [0.5, 0.5], d, 4));
    }
}

public class ObjectiveReportPromptSetTests
{
    [Fact]
    public void PromptSet_IsWeightedAverageOfPerPromptReports()
    {
        var tied = ObjectiveFixtures.Tied();
        var distinct = ObjectiveFixtures.Distinct();
        var set = new PromptSet([tied, distinct], [0.25, 0.75]);
        var report = ObjectiveReport.Create(new PromptSetObjective(set, d => new BonBonObjective(d, 4, 0.5)), set, 4);
        var a = ObjectiveReport.Create(new BonBonObjective(tied, 4, 0.5), tied, 4);
        var b = ObjectiveReport.Create(new BonBonObjective(distinct, 4, 0.5), distinct, 4);
        Assert.Equal(0.25 * a.KlToBestOfN + 0.75 * b.KlToBestOfN, report.KlToBestOfN, 7);
        Assert.Equal(0.25 * a.WinRate + 0.75 * b.WinRate, report.WinRate, 7);
        Assert.Equal(0.25 * a.BestOfNKlToBase + 0.75 * b.BestOfNKlToBase, report.BestOfNKlToBase, 10);
        Assert.Equal(tied.Count + distinct.Count, report.Probabilities.Count);
    }
}
