using System.Globalization;

namespace AlignLab.Cli.Tests;

/// <summary>
/// docs/tutorial.md's example: scripts/examples/slic_demo.csx #loads the one-file method slic_method.csx, trains it and
/// evaluates it exactly. Checks the expectations written in the script's header comment.
/// </summary>
public class TutorialExampleTests
{
    [Fact]
    public void SlicDemo_RunsQuick_AndItsExactNumbersRespectTheTheory()
    {
        using var folder = new ScriptFolder();
        string script = Path.Combine(ScriptFolder.RepositoryRoot(), "scripts", "examples", "slic_demo.csx");
        var run = CliRun.Invoke("run", script, "--set", "quick=true", "--out", folder.Out);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("", run.Error);
        Assert.StartsWith("wrote ", run.Output.TrimEnd().Split('\n')[^1]);
        var lines = File.ReadAllLines(Path.Combine(folder.Out, "slic.csv"));
        Assert.Equal("policy,kl,win_rate,expected_reward", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(
            r => r[0], r => (Kl: double.Parse(r[1], CultureInfo.InvariantCulture), WinRate: double.Parse(r[2], CultureInfo.InvariantCulture)));
        Assert.Equal(["base", "best-of-n", "slic"], rows.Keys);
        Assert.Equal(0, rows["base"].Kl, 9);
        Assert.Equal(0.5, rows["base"].WinRate, 9);
        // Beirami et al.'s bounds for n = 8 (THEORY.md §2).
        Assert.InRange(rows["best-of-n"].Kl, 1e-6, Math.Log(8) - 7.0 / 8);
        Assert.InRange(rows["best-of-n"].WinRate, 0.5, 8.0 / 9);
        // SLiC trained: evaluation is exact, so an untrained copy of the base would sit at W = ½ and KL = 0 to rounding.
        // The hinge pushes every pair's gap to δ = 2, beyond best-of-8's: require at least half of best-of-8's gain in
        // win rate and in KL (measured: W 0.933, KL 3.29 against floors 0.676 and 0.54).
        var bon = rows["best-of-n"];
        Assert.True(rows["slic"].WinRate - 0.5 >= 0.5 * (bon.WinRate - 0.5), $"slic W = {rows["slic"].WinRate}, best-of-8 {bon.WinRate}");
        Assert.True(rows["slic"].Kl >= 0.5 * bon.Kl, $"slic KL = {rows["slic"].Kl}, best-of-8 {bon.Kl}");
    }
}
