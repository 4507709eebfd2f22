namespace AlignLab.Cli.Tests;

/// <summary>
/// Issues 5 and 14: a training script killed with SIGKILL, or stopped with Ctrl-C (SIGINT), mid-training resumes from
/// its last checkpoint and finishes with the same final metrics (and weights) as an uninterrupted run at the same seed.
/// The script runs as a separate <c>alignlab</c> process, so the signals are real ones.
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
        var trainer = new Trainer(new TrainerConfig(Steps: STEPS, LearningRate: 0.05, CheckpointEvery: EVERY,
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
        int killedAt = RunAndStop(script, resumed, afterStep: 2 * CheckpointEvery + 1, kill: true).Step;
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

    [Fact]
    public void CtrlC_StopsTrainingAtTheNextStep_WithACheckpoint_AndTheRerunFinishesLikeAnUninterruptedRun()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("interrupt.csx", TrainingScript.Replace("STEPS", $"{Steps}").Replace("EVERY", $"{CheckpointEvery}"));
        string uninterrupted = Path.Combine(folder.Path, "uninterrupted"), interrupted = Path.Combine(folder.Path, "interrupted");
        Assert.Equal(0, RunToEnd(script, uninterrupted));

        // The script passes the trainer no token: the host's Ctrl-C reaches it anyway (AmbientCancellation).
        var (step, exitCode, error) = RunAndStop(script, interrupted, afterStep: 120, kill: false);
        Assert.Equal(130, exitCode);
        int stoppedAt = AlignLab.Engine.Training.Trainer.CheckpointStep(Path.Combine(interrupted, "checkpoints"));
        Assert.True(stoppedAt >= step && stoppedAt < Steps, $"stopped at step {stoppedAt}, interrupted after step {step}: {error}");
        string checkpoint = Path.Combine(interrupted, "checkpoints", "checkpoint.safetensors");
        Assert.Contains($"alignlab: cancelled: training of 'dpo' stopped after step {stoppedAt} of {Steps}; checkpoint saved to {checkpoint}. "
            + "Run the same command again to continue from it.", error);
        Assert.False(File.Exists(Path.Combine(interrupted, "final.txt")));

        Assert.Equal(0, RunToEnd(script, interrupted));
        var expected = Final(uninterrupted);
        var actual = Final(interrupted);
        Assert.Equal($"{stoppedAt}", actual["resumed_from"]);
        Assert.Equal(expected["loss"], actual["loss"]);
        Assert.Equal(expected["weights_sha256"], actual["weights_sha256"]);
    }

    [Fact]
    public void CtrlC_DuringAStepLongerThanTheGrace_WaitsForTheStep_AndCheckpointsIt()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("slow.csx", TrainingScript.Replace("STEPS", $"{Steps}").Replace("EVERY", $"{CheckpointEvery}"));
        string output = Path.Combine(folder.Path, "slow");

        // Each step takes longer than the 3 s after which a script ignoring Ctrl-C is interrupted; the training loop
        // watches its token, so it is left to finish the step and stop cleanly.
        var (step, exitCode, error) = RunAndStop(script, output, afterStep: 1, kill: false, delayMs: (int)Scripting.ScriptInterruption.Grace.TotalMilliseconds + 1500);
        Assert.Equal(130, exitCode);
        Assert.DoesNotContain("did not stop within", error);
        Assert.Contains($"alignlab: cancelled: training of 'dpo' stopped after step {step} of {Steps}; checkpoint saved to ", error);
        Assert.Equal(step, AlignLab.Engine.Training.Trainer.CheckpointStep(Path.Combine(output, "checkpoints")));
    }

    private static Dictionary<string, string> Final(string output) =>
        File.ReadAllLines(Path.Combine(output, "final.txt")).Select(l => l.Split(' ', 2)).ToDictionary(kv => kv[0], kv => kv[1]);

    private static int RunToEnd(string script, string output)
    {
        var (exitCode, _, error) = AlignlabProcess.Run("run", script, "--out", output);
        Assert.True(exitCode == 0, $"alignlab exited {exitCode}: {error}");
        return exitCode;
    }

    /// <summary>
    /// Starts the script slowed to <paramref name="delayMs"/> per step and, once it logs a step ≥ afterStep, SIGKILLs it (<paramref name="kill"/>)
    /// or sends it SIGINT; returns that step, the exit code and stderr.
    /// </summary>
    private static (int Step, int ExitCode, string Error) RunAndStop(string script, string output, int afterStep, bool kill, int delayMs = 20)
    {
        using var process = AlignlabProcess.Start("run", script, "--out", output, "--set", $"delay_ms={delayMs}");
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith("step ") && int.Parse(line[5..]) is var step && step >= afterStep)
                {
                    if (kill) process.Kill(entireProcessTree: true); // SIGKILL on Unix: no handler, no cleanup
                    else AlignlabProcess.Interrupt(process);
                    process.StandardOutput.ReadToEnd();
                    return (step, AlignlabProcess.Exit(process, 30), error.Result);
                }
            }
            process.WaitForExit();
            Assert.Fail($"the run ended (exit {process.ExitCode}) before step {afterStep}: {error.Result}");
            return default;
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
