using System.Diagnostics;
using System.Text.RegularExpressions;
using AlignLab.Engine.Benchmarks;

namespace AlignLab.Cli.Tests;

/// <summary><c>alignlab bench model</c> on tiny shapes (<c>--smoke</c>): the wiring and the peer's protocol, not timings.</summary>
public class BenchModelCommandTests
{
    private const string Python = "/usr/bin/python3";

    private static string PeerScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "peers", "model_peer.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("bench/peers/model_peer.py not found above the test binaries.");
    }

    private static bool HasTorch()
    {
        if (!File.Exists(Python)) return false;
        using var p = Process.Start(new ProcessStartInfo(Python, ["-c", "import torch"]) { RedirectStandardError = true, UseShellExecute = false })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    [SkippableFact]
    public void BenchModel_Smoke_WithPeer_PrintsBothRunsAndTheirRatios()
    {
        Skip.IfNot(HasTorch(), "Debian's python3-torch is not installed; the PyTorch peer cannot run.");
        var run = CliRun.Invoke("bench", "model", "--smoke", "--peer", "--peer-script", PeerScript());
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        foreach (var name in new[] { ModelBenchmarks.Scoring, ModelBenchmarks.Generation, ModelBenchmarks.TrainFull, ModelBenchmarks.TrainLora, ModelBenchmarks.LoadTime })
        {
            // Each figure as a measurement line twice (AlignLab's, the peer's), then as a ratio line.
            Assert.Equal(2, Regex.Matches(run.Output, "^  " + Regex.Escape(name) + @" +[0-9.eE+-]+ ", RegexOptions.Multiline).Count);
            Assert.Contains($"{name}, AlignLab / PyTorch", run.Output);
        }
    }

    [Fact]
    public void BenchModel_MissingPeerScript_FailsWithOneLine()
    {
        var run = CliRun.Invoke("bench", "model", "--smoke", "--peer", "--peer-script", "/nonexistent/model_peer.py");
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal("alignlab bench model: the peer script '/nonexistent/model_peer.py' does not exist; pass --peer-script.", run.Error.Trim());
    }
}
