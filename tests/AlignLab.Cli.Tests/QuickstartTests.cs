namespace AlignLab.Cli.Tests;

/// <summary>scripts/quickstart.csx and scripts/quickstart.fsx: the README's main job.</summary>
public class QuickstartTests
{
    private static readonly string Scripts = Path.Combine(ScriptFolder.RepositoryRoot(), "scripts");

    [Fact]
    public void CSharpAndFSharpQuickstarts_WriteTheSameFrontierCsv_AndAnOfflineHtmlChart()
    {
        using var folder = new ScriptFolder();
        string csOut = Path.Combine(folder.Path, "cs"), fsOut = Path.Combine(folder.Path, "fs");

        var cs = CliRun.Invoke("run", Path.Combine(Scripts, "quickstart.csx"), "--set", "points=12", "--out", csOut);
        var fs = CliRun.Invoke("run", Path.Combine(Scripts, "quickstart.fsx"), "--set", "points=12", "--out", fsOut);

        Assert.Equal((ExitCodes.Success, ""), (cs.ExitCode, cs.Error));
        Assert.Equal((ExitCodes.Success, ""), (fs.ExitCode, fs.Error));
        string[] csv = File.ReadAllLines(Path.Combine(csOut, "frontier.csv"));
        Assert.Equal("family,parameter,kl,win_rate,expected_reward", csv[0]);
        // 12 points for each of 3 families, plus best-of-n at n = 2, 4, 8, 16, 32.
        Assert.Equal(1 + 3 * 12 + 5, csv.Length);
        Assert.Equal(csv, File.ReadAllLines(Path.Combine(fsOut, "frontier.csv")));
        Assert.Equal(cs.Output, fs.Output.Replace(fsOut, csOut));

        foreach (string html in new[] { Path.Combine(csOut, "frontier.html"), Path.Combine(fsOut, "frontier.html") })
        {
            string page = File.ReadAllText(html);
            Assert.Contains("Plotly.newPlot", page);
            Assert.DoesNotMatch(@"<script[^>]*\ssrc\s*=", page);
            Assert.True(page.Length > 1_000_000, $"{html}: {page.Length} characters, too small to embed plotly.js");
        }
    }

    [Fact]
    public void CSharpQuickstart_BestOfNRows_AreExactBestOfN()
    {
        using var folder = new ScriptFolder();
        var run = CliRun.Invoke("run", Path.Combine(Scripts, "quickstart.csx"), "--set", "points=4", "--out", folder.Out);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var rows = File.ReadAllLines(Path.Combine(folder.Out, "frontier.csv")).Skip(1).Select(line => line.Split(',')).ToList();
        var d = new AlignLab.Theory.RewardDistribution([0.30, 0.20, 0.15, 0.10, 0.10, 0.08, 0.05, 0.02], [0.0, 1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        var expected = AlignLab.Theory.Frontiers.Compute(d, AlignLab.Theory.FrontierFamily.BestOfN, [2, 4, 8, 16, 32]);
        var written = rows.TakeLast(5).ToList();
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("BestOfN", written[i][0]);
            Assert.Equal(expected[i].Kl, double.Parse(written[i][2], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(expected[i].WinRate, double.Parse(written[i][3], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
