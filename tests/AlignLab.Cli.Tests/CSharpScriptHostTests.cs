using AlignLab.Dsl.Scripting;

namespace AlignLab.Cli.Tests;

public class CSharpScriptHostTests
{
    [Fact]
    public void Script_Runs_AndWritesToItsOutputFolder()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("hello.csx", """
            File.WriteAllText(Path.Combine(OutputDirectory, "result.txt"), (6 * 7).ToString());
            Log("done");
            """);
        var run = CliRun.Invoke("run", script, "--out", folder.Out);
        Assert.Equal((ExitCodes.Success, ""), (run.ExitCode, run.Error));
        Assert.Equal("42", File.ReadAllText(Path.Combine(folder.Out, "result.txt")));
        Assert.Equal("done", run.Output.Trim());
    }

    [Fact]
    public void SetValues_ReachTheScript_Typed()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("args.csx", """
            Log($"{Arg("n", 1) * 2}|{Arg("beta", 0.0) * 10}|{Arg("name", "none")}|{Arg("absent", 5)}|{Args.Count}");
            """);
        var run = CliRun.Invoke("run", script, "--set", "n=21", "--set", "beta=0.25", "--set", "name=a=b", "--out", folder.Out);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("42|2.5|a=b|5|3", run.Output.Trim());
    }

    [Fact]
    public void AlignLabNamespaces_AreImported_AndCurrentIsTheGlobals()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("ns.csx", """
            Log(typeof(ScriptContext).FullName!);
            Log((ReferenceEquals(ScriptContext.Current.OutputDirectory, OutputDirectory)).ToString());
            Log(torch.ones(3).sum().item<float>().ToString());
            """);
        var run = CliRun.Invoke("run", script, "--out", folder.Out);
        Assert.Equal((ExitCodes.Success, ""), (run.ExitCode, run.Error));
        Assert.Equal(["AlignLab.Dsl.Scripting.ScriptContext", "True", "3"], run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        Assert.False(ScriptContext.HasCurrent, "the script's context leaked to the caller");
    }

    [Fact]
    public void Load_ResolvesSiblingFileRelativeToTheScript()
    {
        using var folder = new ScriptFolder();
        folder.Write("lib/helpers.csx", "int Twice(int k) => 2 * k;");
        string script = folder.Write("main.csx", """
            #load "lib/helpers.csx"
            Log(Twice(21).ToString());
            """);
        // The working directory (the test output folder) is not the script's folder: resolution must not depend on it.
        var run = CliRun.Invoke("run", script, "--out", folder.Out);
        Assert.Equal((ExitCodes.Success, ""), (run.ExitCode, run.Error));
        Assert.Equal("42", run.Output.Trim());
    }

    [Fact]
    public void CompileError_PrintsPathLineColumn_AndExits1()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("bad.csx", """
            var ok = 1;
              int wrong = "text";
            """);
        var run = CliRun.Invoke("run", script, "--out", folder.Out);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal($"{script}(2,15): error CS0029: Cannot implicitly convert type 'string' to 'int'", run.Error.Trim());
    }

    [Fact]
    public void CompileErrorInLoadedFile_NamesThatFile()
    {
        using var folder = new ScriptFolder();
        string helper = folder.Write("helper.csx", "\nint Broken() => \"no\";");
        string script = folder.Write("main.csx", "#load \"helper.csx\"\nLog(\"x\");");
        var run = CliRun.Invoke("run", script, "--out", folder.Out);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith($"{helper}(2,17): error CS0029:", run.Error.Trim());
    }

    [Fact]
    public void MissingReference_IsACompileErrorAtTheDirective()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("ref.csx", "\n#r \"missing/Nothing.dll\"\nLog(\"x\");");
        var run = CliRun.Invoke("run", script, "--out", folder.Out);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith($"{script}(2,1): error CS0006:", run.Error.Trim());
    }

    [Fact]
    public void Exception_NamesScriptLine_WithoutStackTrace_AndExits1()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("throws.csx", """
            var x = 1;

            if (x == 1) throw new InvalidOperationException("boom");
            """);
        var run = CliRun.Invoke("run", script, "--out", folder.Out);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal($"{script}(3): error: System.InvalidOperationException: boom", run.Error.Trim());
    }

    [Fact]
    public void ExceptionInsideLibraryCall_NamesTheScriptLineThatCalledIt()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("argthrows.csx", """
            Log("start");
            int n = Arg("n", 0);
            """);
        var run = CliRun.Invoke("run", script, "--set", "n=abc", "--out", folder.Out);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith($"{script}(2): error: System.ArgumentException: Script argument 'n' must be a Int32 (got 'abc')", run.Error.Trim());
    }

    [Fact]
    public void ExceptionInLoadedFile_NamesThatFileAndLine()
    {
        using var folder = new ScriptFolder();
        string helper = folder.Write("helper.csx", "void Fail()\n{\n    throw new ArgumentException(\"bad k\");\n}");
        string script = folder.Write("main.csx", "#load \"helper.csx\"\nFail();");
        var run = CliRun.Invoke("run", script, "--out", folder.Out);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal($"{helper}(3): error: System.ArgumentException: bad k", run.Error.Trim());
    }
}
