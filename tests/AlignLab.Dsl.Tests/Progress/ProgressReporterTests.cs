using AlignLab.Dsl.Progress;
using AlignLab.Engine.Training;

namespace AlignLab.Dsl.Tests.Progress;

public sealed class ProgressReporterTests
{
    private static TrainingProgress At(int step, int total, double seconds, double loss = 0.5) =>
        new(step, total, loss, new Dictionary<string, double> { ["kl"] = 0.125, ["lr"] = 0.001 }, TimeSpan.FromSeconds(seconds));

    [Fact]
    public void LineMode_WritesOneLinePerTenPercent_AndTheLastStep()
    {
        var output = new StringWriter();
        var reporter = new ProgressReporter(output, ProgressMode.Lines, new ProgressOptions(LineInterval: TimeSpan.FromHours(1)));

        for (var step = 1; step <= 100; step++) reporter.Report(At(step, 100, step * 0.1));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Step 1 opens bucket 0, steps 10, 20, …, 100 open buckets 1..10: 11 lines, none containing a carriage return.
        Assert.Equal(11, lines.Length);
        Assert.DoesNotContain('\r', output.ToString());
        Assert.Contains("step 100/100 (100%)", lines[^1]);
    }

    [Fact]
    public void LineMode_AlsoWritesWhenTheIntervalHasPassed()
    {
        var output = new StringWriter();
        var reporter = new ProgressReporter(output, ProgressMode.Lines, new ProgressOptions(LinePercent: 100, LineInterval: TimeSpan.FromSeconds(30)));

        // 1000 steps at 0.1 s each: 100 s in all, so lines at step 1, then every 30 s (steps 301, 601, 901), then the last.
        for (var step = 1; step <= 1000; step++) reporter.Report(At(step, 1000, step * 0.1));

        Assert.Equal(5, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Line_ShowsStepLossMetricsElapsedAndEta()
    {
        var output = new StringWriter();
        var reporter = new ProgressReporter(output, ProgressMode.Lines, new ProgressOptions(Label: "bonbon"));

        reporter.Report(At(250, 1000, 50, loss: 0.4321));

        // 250 steps in 50 s → 0.2 s per step; 750 steps left → ETA 150 s = 2:30.
        Assert.Equal("bonbon  step  250/1000 ( 25%)  loss 0.4321  kl 0.125  lr 0.001  elapsed 0:50  ETA 2:30" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void Options_MetricsChooseWhichMetricsShow_InOrder()
    {
        var output = new StringWriter();
        var reporter = new ProgressReporter(output, ProgressMode.Lines, new ProgressOptions(Metrics: ["lr", "missing"]));

        reporter.Report(At(1, 10, 1));

        Assert.Contains("loss 0.5  lr 0.001  elapsed", output.ToString());
        Assert.DoesNotContain("kl", output.ToString());
    }

    [Fact]
    public void InteractiveMode_RewritesOneLine_ThenEndsItAfterTheLastStep()
    {
        var output = new StringWriter();
        var reporter = new ProgressReporter(output, ProgressMode.Interactive, new ProgressOptions(BarWidth: 10));

        for (var step = 1; step <= 20; step++) reporter.Report(At(step, 20, step * 0.5));

        var text = output.ToString();
        Assert.Equal(20, text.Count(ch => ch == '\r'));
        Assert.EndsWith(Environment.NewLine, text);
        Assert.Single(text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("[##########]  step 20/20 (100%)", text);
        Assert.Contains("[#####.....]  step 10/20 ( 50%)", text);
    }

    [Fact]
    public void InteractiveMode_CutsTheLineToMaxLineWidth_AndErasesALongerPreviousLine()
    {
        var output = new StringWriter();
        var reporter = new ProgressReporter(output, ProgressMode.Interactive, new ProgressOptions(Label: "", BarWidth: 0, MaxLineWidth: 30));

        reporter.Report(At(1, 1000, 1));
        var first = output.ToString();
        reporter.Report(new TrainingProgress(2, 1000, 0.5, new Dictionary<string, double>(), TimeSpan.FromSeconds(2)));

        Assert.Equal("\r" + "step    1/1000 (  0%)  loss 0.", first); // 31 characters cut to 30
        Assert.Equal(31, first.Length);
        var second = output.ToString()[first.Length..];
        Assert.Equal(31, second.Length); // cut to 30 characters, or padded with spaces to cover the previous 30
    }

    [Fact]
    public void InteractiveMode_RedrawsAtMostTenTimesASecond()
    {
        var output = new StringWriter();
        var reporter = new ProgressReporter(output, ProgressMode.Interactive);

        // 1000 steps in 1 s of training time: ~10 redraws (every 100 ms) plus the final one.
        for (var step = 1; step <= 1000; step++) reporter.Report(At(step, 1000, step * 0.001));

        var redraws = output.ToString().Count(ch => ch == '\r');
        Assert.InRange(redraws, 10, 12);
    }

    [Fact]
    public void Eta_AfterAResume_UsesTheRateSinceTheFirstRecordSeen()
    {
        var reporter = new ProgressReporter(TextWriter.Null, ProgressMode.Lines);
        // Resumed at step 500: elapsed counts from the resume, so the rate must come from differences.
        reporter.Report(At(510, 1000, 2));

        var eta = reporter.EstimateRemaining(At(610, 1000, 22));

        // (22 − 2) s / (610 − 510) steps = 0.2 s per step; 390 steps left → 78 s.
        Assert.Equal(TimeSpan.FromSeconds(78), eta);
    }

    [Fact]
    public void Eta_IsUnknownBeforeTimePasses()
    {
        var reporter = new ProgressReporter(TextWriter.Null, ProgressMode.Lines);

        Assert.Null(reporter.EstimateRemaining(At(0, 10, 0)));
    }

    [Theory]
    [InlineData(false, null, null, ProgressMode.Interactive)]
    [InlineData(true, null, null, ProgressMode.Lines)]
    [InlineData(false, "true", null, ProgressMode.Lines)]
    [InlineData(false, "1", null, ProgressMode.Lines)]
    [InlineData(false, "false", null, ProgressMode.Interactive)]
    [InlineData(false, null, "dumb", ProgressMode.Lines)]
    public void DetectMode_IsLineBasedWhenRedirectedOrInCi(bool redirected, string? ci, string? term, ProgressMode expected)
    {
        var environment = new Dictionary<string, string?> { ["CI"] = ci, ["TERM"] = term };

        Assert.Equal(expected, ProgressReporter.DetectMode(redirected, name => environment.GetValueOrDefault(name)));
    }

    [Fact]
    public void Options_AreValidated_NamingTheField()
    {
        Assert.Equal("LinePercent", Assert.Throws<ArgumentException>(() => new ProgressOptions(LinePercent: 0).Validate()).ParamName);
        Assert.Equal("LineInterval", Assert.Throws<ArgumentException>(() => new ProgressOptions(LineInterval: TimeSpan.Zero).Validate()).ParamName);
        Assert.Equal("BarWidth", Assert.Throws<ArgumentException>(() => new ProgressOptions(BarWidth: -1).Validate()).ParamName);
        Assert.Equal("MaxLineWidth", Assert.Throws<ArgumentException>(() => new ProgressOptions(MaxLineWidth: -1).Validate()).ParamName);
    }
}
