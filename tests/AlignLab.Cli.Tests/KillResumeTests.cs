using System.Diagnostics;

namespace AlignLab.Cli.Tests;

/// <summary>
/// Issue 5: a run killed with SIGKILL mid-training resumes from its last checkpoint and finishes with the same final
/// metrics (and weights) as an uninterrupted run at the same seed. The training script runs as a separate
/// <c>alignlab</c> process, so the kill is a real one.
/// </summary>
public class KillResumeTests
{
    private const int Steps = 300;
    private const int CheckpointEvery = 50;

    /// <summary>
    /// DPO on regularised best-of-n pairs for a tabular policy, checkpointing every 50 steps into the output folder.
    /// It logs "step k" after each step (sleeping delay_ms there, which slows the run without changing any number) and
    /// writes final.txt: the step it resumed from, the last loss, the exact probabilities and a SHA-256 of the weights.
    /// </summary>
    private const string TrainingScript = """
        using System.Runtime.InteropServices;
        using System.Security.Cryptography;

        int delayMs = Arg("delay_ms", 0);
        double[] p = [0.1, 0.2, 0.15, 0.25, 0.2, 0.1];
        double[] r = [0.0, 1.0, 1.0, 2.0, 3.0, 3.0];
        var reference = TabularPolicy.FromProbabilities([p]);
        foreach (var w in reference.parameters()) w.requires_grad_(false);
        var policy = TabularPolicy.FromProbabilities([p]);
        var pairs = RegularizedPairSource.Kl(reference, torch.zeros(new long[] { 1, 1 }, torch.ScalarType.Int64), new TabularReward([r]), 4, 0.5,
            new SamplingOptions(MaxLength: 1));
        var trainer = new Trainer(new TrainerConfig(Steps: STEPS, LearningRate: 0.05, LogEvery: 1, CheckpointEvery: EVERY,
            CheckpointDirectory: OutputPath("checkpoints"), Resume: true, Seed: 3));
        var result = trainer.Run(new DpoMethod(policy, pairs, new DpoConfig(Beta: 0.1, BatchSize: 8)), progress =>
        {
            Log($"step {progress.Step}");
            if (delayMs > 0) Thread.Sleep(delayMs);
        });
        var weights = MemoryMarshal.AsBytes(policy.Logits.data<float>().ToArray().AsSpan()).ToArray();
        AtomicFile.WriteAllText(OutputPath("final.txt"), string.Join("\n",
            $"resumed_from {result.ResumedFromStep}",
            $"loss {result.Last.Loss.ToString("R", CultureInfo.InvariantCulture)}",
            $"probabilities {string.Join(" ", policy.Probabilities()[0].Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}",
            $"weights_sha256 {Convert.ToHexString(SHA256.HashData(weights))}"));
        """;

    [Fact]
    public void KilledRun_ResumesFromItsCheckpoint_AndFinishesLikeAnUninterruptedRun()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("kill_resume.csx", TrainingScript.Replace("STEPS", $"{Steps}").Replace("EVERY", $"{CheckpointEvery}"));
        string uninterrupted = Path.Combine(folder.Path, "uninterrupted"), resumed = Path.Combine(folder.Path, "resumed");

        Assert.Equal(0, RunToEnd(script, uninterrupted));
        var expected = Final(uninterrupted);
        Assert.Equal("0", expected["resumed_from"]);

        // Killed once the log shows a step past the second checkpoint (100): the last checkpoint is then 100 or later,
        // and with 20 ms per step the run is at least 3 s from its end.
        int killedAt = RunAndKill(script, resumed, killAfterStep: 2 * CheckpointEvery + 1);
        Assert.InRange(killedAt, 2 * CheckpointEvery + 1, Steps - 1);
        Assert.False(File.Exists(Path.Combine(resumed, "final.txt")), "the killed run must not have finished");
        Assert.True(File.Exists(Path.Combine(resumed, "checkpoints", "checkpoint.safetensors")), "no checkpoint was written before the kill");

        Assert.Equal(0, RunToEnd(script, resumed));
        var actual = Final(resumed);
        int resumedFrom = int.Parse(actual["resumed_from"]);
        Assert.True(resumedFrom >= 2 * CheckpointEvery && resumedFrom % CheckpointEvery == 0 && resumedFrom <= killedAt,
            $"resumed from step {resumedFrom}, killed after step {killedAt}");
        Assert.Equal(expected["loss"], actual["loss"]);
        Assert.Equal(expected["probabilities"], actual["probabilities"]);
        Assert.Equal(expected["weights_sha256"], actual["weights_sha256"]);
    }

    private static Dictionary<string, string> Final(string output) =>
        File.ReadAllLines(Path.Combine(output, "final.txt")).Select(l => l.Split(' ', 2)).ToDictionary(kv => kv[0], kv => kv[1]);

    /// <summary>The built alignlab executable beside the test assembly (the Cli project is referenced), run directly or through dotnet.</summary>
    private static ProcessStartInfo Alignlab(string script, string output, params string[] sets)
    {
        string directory = AppContext.BaseDirectory;
        string host = Path.Combine(directory, OperatingSystem.IsWindows() ? "alignlab.exe" : "alignlab");
        var info = File.Exists(host)
            ? new ProcessStartInfo(host)
            : new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { Path.Combine(directory, "alignlab.dll") } };
        foreach (string argument in new[] { "run", script, "--out", output }.Concat(sets.SelectMany(s => new[] { "--set", s })))
            info.ArgumentList.Add(argument);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        return CliRun.Isolated(info, output + "-state");
    }

    private static int RunToEnd(string script, string output)
    {
        using var process = Process.Start(Alignlab(script, output))!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "alignlab did not finish within 2 minutes");
        Assert.True(process.ExitCode == 0, $"alignlab exited {process.ExitCode}: {error.Result}");
        return process.ExitCode;
    }

    /// <summary>Starts the script slowed to 20 ms per step, SIGKILLs it once it logs a step ≥ killAfterStep, and returns that step.</summary>
    private static int RunAndKill(string script, string output, int killAfterStep)
    {
        using var process = Process.Start(Alignlab(script, output, "delay_ms=20"))!;
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith("step ") && int.Parse(line[5..]) is var step && step >= killAfterStep)
                {
                    process.Kill(entireProcessTree: true); // SIGKILL on Unix: no handler, no cleanup
                    Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
                    return step;
                }
            }
            process.WaitForExit();
            Assert.Fail($"the run ended (exit {process.ExitCode}) before step {killAfterStep}: {error.Result}");
            return -1;
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
