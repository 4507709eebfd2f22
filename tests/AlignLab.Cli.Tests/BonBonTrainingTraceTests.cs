using System.Globalization;
using AlignLab.Theory;

namespace AlignLab.Cli.Tests;

/// <summary>
/// scripts/examples/bonbon_training_trace.csx, the trace behind docs/scripts.md's BoNBoN diagnosis: checks the
/// expectations written in the script's header comment.
/// </summary>
public class BonBonTrainingTraceTests
{
    [Fact]
    public void Trace_RunsQuick_StartsAtTheBaseExactly_AndTheObjectiveFalls()
    {
        using var folder = new ScriptFolder();
        string script = Path.Combine(ScriptFolder.RepositoryRoot(), "scripts", "examples", "bonbon_training_trace.csx");
        var run = CliRun.Invoke("run", script, "--set", "quick=true", "--set", "alpha=0", "--out", folder.Out);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.StartsWith("wrote ", run.Output.TrimEnd().Split('\n')[^1]);
        var lines = File.ReadAllLines(Path.Combine(folder.Out, "trace.csv"));
        Assert.Equal("step,kl,win_rate,winner_log_ratio,loser_log_ratio,max_probability,objective", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.Equal([0.0, 5.0, 10.0], rows.Select(r => r[0]));
        // Step 0 is the base: no drift, a fair coin against itself, and every pair's gap 0, so the α = 0 loss is h*_8².
        var start = rows[0];
        Assert.Equal(0, start[1], 9);
        Assert.Equal(0.5, start[2], 9);
        Assert.Equal(0, start[3], 9);
        Assert.Equal(0, start[4], 9);
        Assert.Equal(Math.Pow(BonBonConstants.TargetGap(8), 2), start[6], 6);
        Assert.True(rows[^1][6] < start[6], $"objective did not fall: {start[6]} → {rows[^1][6]}");
    }
}
