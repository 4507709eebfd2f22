namespace AlignLab.Cli.Tests;

/// <summary>The built <c>alignlab</c> executable run as a separate process, as a user runs it.</summary>
public class EndToEndTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args) => AlignlabProcess.Run(args);

    [Fact]
    public void Executable_RunsScript_ReportsErrors_AndRejectsUnknownCommands()
    {
        using var folder = new ScriptFolder();
        string ok = folder.Write("ok.csx", "File.WriteAllText(Path.Combine(OutputDirectory, \"x.txt\"), Arg(\"v\", \"\"));");
        string bad = folder.Write("bad.csx", "\n\nundefined();");

        var run = Run("run", ok, "--set", "v=hello", "--out", folder.Out);
        Assert.Equal((0, ""), (run.ExitCode, run.Error));
        Assert.Equal("hello", File.ReadAllText(Path.Combine(folder.Out, "x.txt")));

        var failed = Run("run", bad, "--out", folder.Out);
        Assert.Equal(1, failed.ExitCode);
        Assert.StartsWith($"{bad}(3,1): error CS0103:", failed.Error);

        var unknown = Run("nonsense");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("Usage:", unknown.Error);
    }

    [Fact]
    public void Executable_UserMistakes_AreOneLine_WithTheDocumentedExitCode()
    {
        // The commands of issue 14 (items 6 and 7) as a user types them: one line each, no stack trace.
        using var folder = new ScriptFolder();
        string ok = folder.Write("ok.json", """{"probs":[0.5,0.5],"rewards":[1,2],"policies":[{"kind":"bon","n":4}]}""");
        string missingFolder = Path.Combine(folder.Path, "no-such-dir");
        var cases = new (string[] Args, int ExitCode, string Error)[]
        {
            (["theory", "eval", "--input", ok, "--output", Path.Combine(missingFolder, "out.json")], 2,
                $"alignlab theory eval: cannot write '{missingFolder}/out.json': the folder '{missingFolder}' does not exist."),
            (["theory", "eval", "--input", folder.Write("typo.json", """{"probs":[1],"rewards":[0],"polices":[]}""")], 2,
                $"alignlab theory eval: {folder.Path}/typo.json: unknown key \"polices\"; a case file has \"probs\", \"rewards\" and \"policies\"."),
            (["theory", "eval", "--input", folder.Path], 2, $"alignlab theory eval: '{folder.Path}' is a folder; --input takes a case file (.json)."),
            (["run", folder.Path], 1, $"alignlab run: '{folder.Path}' is a folder; give a .csx or .fsx script."),
        };
        foreach (var (args, exitCode, error) in cases)
        {
            var run = Run(args);
            Assert.Equal((exitCode, error, ""), (run.ExitCode, run.Error.TrimEnd(), run.Output));
        }
    }

    [Fact]
    public async Task CtrlC_CancelsTheRunningScript_Exit130()
    {
        using var folder = new ScriptFolder();
        string loop = folder.Write("loop.csx", "Log(\"running\");\nwhile (true) { CancellationToken.ThrowIfCancellationRequested(); Thread.Sleep(5); }");
        using var process = AlignlabProcess.Start("run", loop, "--out", folder.Out);
        var error = process.StandardError.ReadToEndAsync();
        Assert.Equal("running", await process.StandardOutput.ReadLineAsync());
        AlignlabProcess.Interrupt(process);
        Assert.Equal(130, AlignlabProcess.Exit(process));
        Assert.Equal(["alignlab: stopping at the next step and saving a checkpoint (Ctrl-C again to quit at once)...", "alignlab: cancelled."],
            (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task SecondCtrlC_EndsTheProcessAtOnce()
    {
        using var folder = new ScriptFolder();
        string spin = folder.Write("spin.csx", "Log(\"running\");\nwhile (true) { Thread.Sleep(10); }");
        using var process = AlignlabProcess.Start("run", spin, "--out", folder.Out);
        Assert.Equal("running", await process.StandardOutput.ReadLineAsync());
        AlignlabProcess.Interrupt(process);
        Assert.StartsWith("alignlab: stopping at the next step", await process.StandardError.ReadLineAsync());
        AlignlabProcess.Interrupt(process);
        Assert.Equal(130, AlignlabProcess.Exit(process));
        // Killed by the second SIGINT, not interrupted by alignlab itself after the first one's grace (which would say so).
        Assert.Equal("", await process.StandardError.ReadToEndAsync());
    }

    [Theory]
    [InlineData("spin.csx", "Log(\"running\");\nwhile (true) { Thread.Sleep(10); }")]
    [InlineData("spin.fsx", "AlignLab.Dsl.Scripting.ScriptContext.Current.Log \"running\"\nwhile true do\n    System.Threading.Thread.Sleep 10\n")]
    public async Task CtrlC_InterruptsAScriptThatNeverLooksAtItsToken_WithinTheGrace(string name, string code)
    {
        using var folder = new ScriptFolder();
        using var process = AlignlabProcess.Start("run", folder.Write(name, code), "--out", folder.Out);
        var error = process.StandardError.ReadToEndAsync();
        Assert.Equal("running", await process.StandardOutput.ReadLineAsync());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        AlignlabProcess.Interrupt(process);
        Assert.Equal(130, AlignlabProcess.Exit(process));
        Assert.InRange(clock.Elapsed.TotalSeconds, Scripting.ScriptInterruption.Grace.TotalSeconds - 0.5, Scripting.ScriptInterruption.Grace.TotalSeconds + 10);
        Assert.Contains("did not stop within 3 s of Ctrl-C (it does not check CancellationToken), so it was interrupted.", await error);
    }
}
