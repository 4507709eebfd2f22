namespace AlignLab.Cli.Tests;

// The F# compiler service takes seconds per session, so these tests cover each behaviour once.
public class FSharpScriptHostTests
{
    [Fact]
    public void Script_Runs_ReadsSetValues_LoadsSibling_AndWritesOutput()
    {
        using var folder = new ScriptFolder();
        folder.Write("lib/helpers.fsx", "module Helpers\nlet twice k = 2 * k");
        string script = folder.Write("main.fsx", """
            #load "lib/helpers.fsx"
            open AlignLab.Dsl.Scripting
            let ctx = ScriptContext.Current
            let n = ctx.Arg("n", 1)
            System.IO.File.WriteAllText(ctx.OutputPath "result.txt", string (Helpers.twice n))
            ctx.Log(sprintf "%s|%g" (ctx.Arg("name", "none")) (ctx.Arg("beta", 0.0) * 10.0))
            """);
        var run = CliRun.Invoke("run", script, "--set", "n=21", "--set", "name=bob", "--set", "beta=0.25", "--out", folder.Out);
        Assert.Equal((ExitCodes.Success, ""), (run.ExitCode, run.Error));
        Assert.Equal("42", File.ReadAllText(Path.Combine(folder.Out, "result.txt")));
        Assert.Equal("bob|2.5", run.Output.Trim());
        Assert.False(AlignLab.Dsl.Scripting.ScriptContext.HasCurrent, "the script's context leaked to the caller");
    }

    [Fact]
    public void CompileError_PrintsPathLineColumn_AndExits1()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("bad.fsx", "let ok = 1\nlet wrong : int = \"text\"\n");
        var run = CliRun.Invoke("run", script, "--out", folder.Out);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal($"{script}(2,19): error FS0001: This expression was expected to have type 'int' but here has type 'string'", run.Error.Trim());
    }

    [Fact]
    public void Exception_NamesScriptLine_AndExits1()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("throws.fsx", "let x = 1\n\nif x = 1 then invalidOp \"boom\"\n");
        var run = CliRun.Invoke("run", script, "--out", folder.Out);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal($"{script}(3): error: System.InvalidOperationException: boom", run.Error.Trim());
    }
}
