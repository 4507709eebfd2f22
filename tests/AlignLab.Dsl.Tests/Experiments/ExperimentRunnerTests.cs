using System.Text.Json;
using AlignLab.Dsl;
using AlignLab.Dsl.Results;
using AlignLab.Theory;

namespace AlignLab.Dsl.Tests.Experiments;

/// <summary>A tiny experiment end to end: run folder, rows, and numbers that must hold by the theory.</summary>
[Collection(TinyToyCollection.Name)]
public sealed class ExperimentRunnerTests(TinyToyFixture fixture)
{
    private Experiment Tiny(string store) =>
        Experiment.Named("tiny").On(fixture.Task).WithScale(fixture.Scale).StoreIn(store).WithProgress(false)
            .Compare(Methods.Base(), Methods.BestOfN(4))
            .Compare(Methods.BonBon(n: 4).Sweep(alpha: [0.0, 0.5]))
            .Compare(Methods.Dpo(beta: 0.5, n: 4), Methods.Vbon(n: 4), Methods.JBond(), Methods.Rlhf(beta: 1))
            .Evaluate(Metrics.WinRate, Metrics.Kl, Metrics.OffTarget)
            .WithFrontiers(Frontier.BestOfN, Frontier.Optimal);

    [Fact]
    public void Run_WritesRunFolder_WithOneRowPerMethod_AndTheoryConsistentNumbers()
    {
        var store = fixture.NewStore();
        var result = Tiny(store).Run();

        string[] names = ["base", "best-of-n(n=4)", "BoNBoN(n=4, α=0)", "BoNBoN(n=4, α=0.5)", "DPO(n=4, β=0.5)", "vBoN(n=4)", "J-BOND(n=2, β=0.5, η=0.05)", "RLHF(β=1)"];
        Assert.Equal(names, result.Rows.Select(r => r.Method));
        foreach (var file in new[] { "run.json", "metrics.jsonl", "table.csv", "table.json", "charts/frontier.html" })
            Assert.True(File.Exists(Path.Combine(result.RunFolder, file)), file);
        var saved = RunStore.Open(store).Load(result.RunId);
        Assert.Equal(RunStatus.Completed, saved.Manifest.Status);
        Assert.Equal(names, saved.Table!.TextColumn("method"));
        Assert.Contains("BoNBoN(n=4, α=0.5)/loss", saved.FinalMetrics().Keys);

        // The base row is the base: KL = 0 and W = 1/2 exactly (THEORY.md §2).
        var baseRow = result.Row("base");
        Assert.Equal(0, baseRow.Kl, 12);
        Assert.Equal(0.5, baseRow.WinRate, 12);

        // The BoN_n row is the theory module's exact π_n, prompt-averaged.
        var bon = result.Row("best-of-n(n=4)");
        Assert.Equal(bon.BonNKl, bon.Kl, 12);
        Assert.Equal(bon.BonNWinRate, bon.WinRate, 12);
        Assert.True(bon.WinRate <= 4 / 5.0 + 1e-12 && bon.Kl <= Math.Log(4) - 3 / 4.0 + 1e-12, "Beirami bounds (THEORY.md §2)");
        Assert.Equal(bon.WinRate, bon.BonWinRateAtKl, 3);

        foreach (var row in result.Rows)
        {
            Assert.InRange(row.Kl, -1e-9, 50);
            Assert.InRange(row.WinRate, 0, 1);
            Assert.True(double.IsFinite(row.OffTarget), row.Method);
            // No policy beats the optimal frontier at its own KL (BoNBoN's theorem); 1e-3 covers the linear interpolation.
            if (double.IsFinite(row.OptimalWinRateAtKl)) Assert.True(row.WinRate <= row.OptimalWinRateAtKl + 1e-3, row.Method);
            if (double.IsFinite(row.BonWinRateAtKl)) Assert.True(row.BonWinRateAtKl <= row.OptimalWinRateAtKl + 1e-6, row.Method);
        }
        Assert.All(result.Rows.Where(r => r.Spec.IsTrained), r => Assert.Equal(fixture.Scale.Steps, r.Steps));

        // Every trained row moved towards higher reward. Evaluation is exact, so an untrained copy of the base has W = ½
        // and KL = 0 to rounding; each row must gain at least a quarter of what exact best-of-4 gains, in win rate and
        // in KL (measured at these 6 steps: W − ½ from 0.12 (J-BOND) to 0.17 against the floor 0.073; KL from 0.28 to
        // 0.55 against 0.15).
        foreach (var row in result.Rows.Where(r => r.Spec.IsTrained))
        {
            Assert.True(row.WinRate - 0.5 >= 0.25 * (bon.WinRate - 0.5), $"{row.Method}: W = {row.WinRate}, base ½, BoN_4 {bon.WinRate}");
            Assert.True(row.Kl >= 0.25 * bon.Kl, $"{row.Method}: KL = {row.Kl}, BoN_4 {bon.Kl}");
        }
        Assert.Equal(2, result.Frontiers.Count);
        Assert.Equal(2 + result.Rows.Select(r => r.Spec.KindName).Distinct().Count(), result.Chart.TraceCount);
    }

    [Fact]
    public void SameSeed_GivesTheSameNumbers()
    {
        var plan = Experiment.Named("seeded").On(fixture.Task).WithScale(fixture.Scale with { Steps = 3 }).WithProgress(false)
            .Compare(Methods.BonBon(n: 4, alpha: 0.2)).WithSeed(5);
        var a = plan.StoreIn(fixture.NewStore()).Run().Rows.Single();
        var b = plan.StoreIn(fixture.NewStore()).Run().Rows.Single();
        Assert.Equal(a.Kl, b.Kl);
        Assert.Equal(a.WinRate, b.WinRate);
        Assert.Equal(a.FinalLoss, b.FinalLoss);
    }

    [Fact]
    public void Save_AndPrint_WriteTheTable()
    {
        var result = Experiment.Named("save").On(fixture.Task).WithScale(fixture.Scale).StoreIn(fixture.NewStore()).WithProgress(false)
            .Compare(Methods.BestOfN(2), Methods.BestOfN(8)).WithFrontiers(Frontier.All).Run();
        var folder = result.Save(Path.Combine(fixture.Root, "saved"));
        var table = ResultTable.ParseJson(File.ReadAllText(Path.Combine(folder, "table.json")));
        Assert.Equal(["best-of-n(n=2)", "best-of-n(n=8)"], table.TextColumn("method"));
        Assert.True(File.Exists(Path.Combine(folder, "frontier.html")));
        var lines = new List<string>();
        result.Print(lines.Add);
        Assert.Contains(lines, l => l.Contains("best-of-n(n=8)"));
        Assert.True(result.Row("best-of-n(n=8)").WinRate > result.Row("best-of-n(n=2)").WinRate);
    }

    [Fact]
    public void ExactObjectives_AtThePolicy_AtBonN_AndTheOptimum_AreConsistent()
    {
        var result = Experiment.Named("objectives").On(fixture.Task).WithScale(fixture.Scale with { Steps = 4 }).StoreIn(fixture.NewStore())
            .WithProgress(false).WithExactOptima()
            .Compare(Methods.SftBon(4), Methods.BonBon(n: 4, alpha: 0.3, variant: AlignLab.Theory.Objectives.BonBonVariant.SquaredSum), Methods.Vbon(4), Methods.Rlhf(beta: 1))
            .WithFrontiers(Frontier.BestOfN).Run();

        // SFT-BoN and vBoN are minimised by π_n itself (THEORY.md §4–§5): the optimum IS the BoN_n point, and vBoN's
        // objective KL(π‖π_n) is 0 there. The minimiser stops at gradient entries below 1e-8, which leaves KL and win rate
        // within 1e-6 of π_n's.
        foreach (var name in new[] { "SFT-BoN(n=4)", "vBoN(n=4)" })
        {
            var row = result.Row(name);
            Assert.Equal(row.BonNKl, row.OptimumKl, tolerance: 1e-6);
            Assert.Equal(row.BonNWinRate, row.OptimumWinRate, tolerance: 1e-6);
            Assert.Equal(row.ObjectiveAtBonN, row.OptimumObjective, tolerance: 1e-8);
        }
        Assert.Equal(0, result.Row("vBoN(n=4)").ObjectiveAtBonN, 12);

        // Every objective's minimum lies below its value at π_n and at the trained policy; BoNBoN's is strictly below
        // π_n's (its optimum is not π_n, THEORY.md §4).
        foreach (var row in result.Rows.Where(r => r.Spec.Kind != MethodKind.Rlhf))
        {
            // 1e-8: where π_n is the exact minimiser (SFT-BoN, vBoN) the search stops just short of it.
            Assert.True(row.OptimumObjective <= row.ObjectiveAtBonN + 1e-8, $"{row.Method}: optimum {row.OptimumObjective}, at π_n {row.ObjectiveAtBonN}");
            // The network's probabilities come from float32 log-softmaxes (they sum to 1 within ~1e-6).
            Assert.True(row.OptimumObjective <= row.Objective + 1e-5, $"{row.Method}: optimum {row.OptimumObjective}, trained {row.Objective}");
        }
        var bonbon = result.Row("BoNBoN(n=4, α=0.3, SquaredSum)");
        Assert.True(bonbon.OptimumObjective < bonbon.ObjectiveAtBonN - 1e-4);
        Assert.True(double.IsNaN(result.Row("RLHF(β=1)").Objective) && double.IsNaN(result.Row("RLHF(β=1)").OptimumKl));
        Assert.Equal(3, result.Table.TextColumn("optimum_kl").Count(v => v.Length > 0));
        // One BoN frontier, four method kinds and one trace of exact optima.
        Assert.Equal(6, result.Chart.TraceCount);
    }
}
