using System.Text.Json;
using AlignLab.Cli.Commands;

namespace AlignLab.Cli.Tests;

public class RunCommandTests
{
    [Fact]
    public void MissingScript_IsOneLineError_Exit1()
    {
        var run = CliRun.Invoke("run", "/nonexistent/folder/x.csx");
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal("alignlab run: script not found: /nonexistent/folder/x.csx", run.Error.Trim());
    }

    [Fact]
    public void UnsupportedExtension_IsOneLineError_Exit1()
    {
        using var folder = new ScriptFolder();
        string file = folder.Write("notes.txt", "hello");
        var run = CliRun.Invoke("run", file);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("expected a .csx (C#) or .fsx (F#) script, got '.txt'", run.Error);
    }

    [Fact]
    public void Notebook_IsOneLineError_PointingToTheKernel_Exit1()
    {
        using var folder = new ScriptFolder();
        string file = folder.Write("tour.ipynb", "{}");
        var run = CliRun.Invoke("run", file);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal($"alignlab run: '{file}' is a notebook: run it in the .NET Interactive kernel, e.g. jupyter nbconvert --to notebook --execute {file} (set-up: docs/notebooks.md).",
            run.Error.Trim());
    }

    [Fact]
    public void OutputFolderBlockedByAFile_IsOneLineError_Exit1()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("s.csx", "Log(\"never runs\");");
        string blocker = folder.Write("blocker", "a file where the output folder should go");
        var run = CliRun.Invoke("run", script, "--out", blocker);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith($"alignlab run: cannot write to the output folder '{blocker}'", run.Error.Trim());
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public void FolderGivenAsTheScript_IsOneLineError_Exit1()
    {
        using var folder = new ScriptFolder();
        var run = CliRun.Invoke("run", folder.Path);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal($"alignlab run: '{folder.Path}' is a folder; give a .csx or .fsx script.", run.Error.Trim());
    }

    [Theory]
    [InlineData("s.csx", "File.WriteAllText(MARKER, \"ran\");", "/proc")]
    public void OutputFolderThatTakesNoFiles_IsOneLineError_BeforeAnyWork(string name, string code, string output)
    {
        // /proc exists, so creating it succeeds; only writing a file there fails, as writing the results would at the end.
        using var folder = new ScriptFolder();
        string marker = Path.Combine(folder.Path, "ran.txt");
        code = code.Replace("MARKER", $"\"{marker}\"", StringComparison.Ordinal);
        string script = folder.Write(name, code);
        var run = CliRun.Invoke("run", script, "--out", output);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith("alignlab run: cannot write to the output folder '/proc': ", run.Error);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(marker), "the script ran although its output folder is unusable");
    }

    [Theory]
    [InlineData("broken.csx", "undefined();")]
    [InlineData("throws.csx", "throw new InvalidOperationException(\"boom\");")]
    [InlineData("broken.fsx", "let x : int = \"text\"")]
    public void FailedRun_LeavesNoEmptyOutputFolder(string name, string code)
    {
        using var folder = new ScriptFolder();
        string script = folder.Write(name, code);
        var run = CliRun.Invoke("run", script, "--out", Path.Combine(folder.Out, "a", "b"));
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        // Every folder the run created is gone (out/a/b, out/a and out), the pre-existing one stays.
        Assert.False(Directory.Exists(folder.Out), $"{folder.Out} was left behind");
        Assert.True(Directory.Exists(folder.Path));
    }

    [Fact]
    public void FailedRun_KeepsAnOutputFolderThatHoldsFiles()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("partial.csx", "File.WriteAllText(OutputPath(\"partial.txt\"), \"x\");\nthrow new InvalidOperationException(\"late\");");
        var run = CliRun.Invoke("run", script, "--out", folder.Out);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(folder.Out, "partial.txt")));
    }

    [Fact]
    public void RunStartedByAScript_RecordsTheGitCommitOfTheScriptsRepository_NotTheWorkingDirectorys()
    {
        // The script's folder is a repository at a known commit; the test runs from inside AlignLab's own repository.
        using var folder = new ScriptFolder();
        const string commit = "0123456789abcdef0123456789abcdef01234567";
        folder.Write(".git/HEAD", commit + "\n");
        string script = folder.Write("exp/record.csx",
            "var run = RunStore.Open(OutputPath(\"runs\")).StartRun(\"record\", 0);\nrun.Complete();\nrun.Dispose();\nLog(run.Folder);");
        var run = CliRun.Invoke("run", script, "--out", folder.Out);
        Assert.Equal((ExitCodes.Success, ""), (run.ExitCode, run.Error));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Output.Trim(), "run.json")));
        Assert.Equal(commit, manifest.RootElement.GetProperty("gitCommit").GetString());
        Assert.NotEqual(commit, AlignLab.Dsl.Results.GitCommit.Find(Environment.CurrentDirectory));
    }

    [Fact]
    public void SetWithoutEquals_IsAUsageError()
    {
        var run = CliRun.Invoke("run", "x.csx", "--set", "novalue");
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("--set expects key=value, got 'novalue'", run.Error);
        Assert.Contains("Usage:", run.Error);
    }

    [Fact]
    public void RepeatedKey_LastValueWins()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("k.csx", "Log(Arg(\"k\", \"\"));");
        var run = CliRun.Invoke("run", script, "--set", "k=1", "--set", "k=2", "--out", folder.Out);
        Assert.Equal("2", run.Output.Trim());
    }

    [Fact]
    public void OutFolder_IsCreated()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("o.csx", "Log(OutputDirectory);");
        string nested = Path.Combine(folder.Out, "a", "b");
        var run = CliRun.Invoke("run", script, "--out", nested);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(nested, run.Output.Trim());
        Assert.True(Directory.Exists(nested));
    }

    [Theory]
    [InlineData("loop.csx", "Log(\"running\");\nwhile (true) { CancellationToken.ThrowIfCancellationRequested(); Thread.Sleep(5); }")]
    [InlineData("loop.fsx", "let ctx = AlignLab.Dsl.Scripting.ScriptContext.Current\nctx.Log \"running\"\nwhile true do\n    ctx.CancellationToken.ThrowIfCancellationRequested()\n    System.Threading.Thread.Sleep 5\n")]
    public void CancellingARunningScript_StopsIt_Exit130(string name, string code)
    {
        using var folder = new ScriptFolder();
        string script = folder.Write(name, code);
        using var cancellation = new CancellationTokenSource();
        var error = new StringWriter();
        // The script's first log line proves it is running; that is when "Ctrl-C" arrives.
        var output = new CancelOnWrite(cancellation);
        int exit = RunCommand.RunScript(script, new Dictionary<string, string>(), folder.Out, output, error, cancellation.Token);
        Assert.Equal("running", output.ToString().Trim());
        Assert.Equal(ExitCodes.Cancelled, exit);
        Assert.Equal("alignlab: cancelled.", error.ToString().Trim());
    }

    [Fact]
    public void CancelledBeforeStart_Exit130()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("never.csx", "File.WriteAllText(Path.Combine(OutputDirectory, \"ran.txt\"), \"\");");
        var error = new StringWriter();
        int exit = RunCommand.RunScript(script, new Dictionary<string, string>(), folder.Out, TextWriter.Null, error, new CancellationToken(canceled: true));
        Assert.Equal(ExitCodes.Cancelled, exit);
        Assert.False(File.Exists(Path.Combine(folder.Out, "ran.txt")));
    }

    private sealed class CancelOnWrite(CancellationTokenSource cancellation) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            cancellation.Cancel();
        }
    }
}
