using System.Text.Json.Nodes;
using AlignLab.Cli.Notebooks;
using static AlignLab.Cli.Tests.Notebooks.TestNotebook;

namespace AlignLab.Cli.Tests.Notebooks;

public class NotebookRunnerTests
{
    private static (CliRun Run, JsonObject Executed, string NotebookPath) RunNotebook(ScriptFolder folder, string json, params string[] extra)
    {
        string path = folder.Write("nb.ipynb", json);
        string executed = Path.Combine(folder.Path, "executed.ipynb");
        var run = CliRun.Invoke(["run", path, "--out", executed, .. extra]);
        return (run, File.Exists(executed) ? Read(executed) : new JsonObject(), path);
    }

    [Fact]
    public void ConsoleAndLog_AreCapturedPerCell_AndStateCarriesAcrossCells()
    {
        using var folder = new ScriptFolder();
        var (run, nb, _) = RunNotebook(folder, Json(
            Code("int x = Arg(\"x\", 1);\nConsole.WriteLine($\"x is {x}\");"),
            Code("Log($\"twice {2 * x}\");\nConsole.Error.WriteLine(\"warn\");")), "--set", "x=21");

        Assert.Equal((ExitCodes.Success, "warn\n"), (run.ExitCode, run.Error.Replace("\r", "")));
        Assert.Equal("x is 21\n", Stream(Cell(nb, 0)));
        Assert.Equal("twice 42\n", Stream(Cell(nb, 1)));
        Assert.Equal("warn\n", Stream(Cell(nb, 1), "stderr"));
        Assert.Contains("x is 21", run.Output);
    }

    [Fact]
    public void TrailingExpression_IsExecuteResultAsPlainText_WithTheCellsExecutionCount()
    {
        using var folder = new ScriptFolder();
        var (run, nb, _) = RunNotebook(folder, Json(
            Markdown("# title\n", "text"),
            Code("var xs = new List<double> { 0.5, 1.25 };"),
            Code("xs.Sum() * 2"),
            Code("xs")));

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal([1, 2, 3], new[] { 1, 2, 3 }.Select(i => (int)Cell(nb, i)["execution_count"]!));
        Assert.Empty(Outputs(Cell(nb, 1)));
        Assert.Equal("3.5", Result(Cell(nb, 2)));
        Assert.Equal(2, (int)Outputs(Cell(nb, 2))[0]["execution_count"]!);
        Assert.Equal("[0.5, 1.25]", Result(Cell(nb, 3)));
    }

    [Fact]
    public void ChartValue_IsSelfContainedHtml_PlusPlainTextSummary()
    {
        using var folder = new ScriptFolder();
        var (run, nb, _) = RunNotebook(folder, Json(Code(
            "FrontierChart.Create(FrontierMetric.WinRate, [new FrontierCurve(\"bon\", [0.0, 1.0], [0.5, 0.8]), new FrontierCurve(\"opt\", [0.0, 1.0], [0.5, 0.82])])")));

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string html = Result(Cell(nb, 0), "text/html")!;
        Assert.Contains("plotly.js v", html);
        Assert.Contains("Plotly.newPlot", html);
        Assert.DoesNotMatch(@"<script[^>]*\ssrc\s*=", html);
        Assert.StartsWith("PlotlyChart \"Win rate vs KL\": 2 traces", Result(Cell(nb, 0)));
    }

    [Fact]
    public void ExceptionInACell_Exits1_NamingTheCellAndLine_AndStopsTheRun()
    {
        using var folder = new ScriptFolder();
        var (run, nb, path) = RunNotebook(folder, Json(
            Markdown("intro"),
            Code("int a = 1;"),
            Code("Console.WriteLine(\"before\");\n\nthrow new InvalidOperationException(\"no luck\");"),
            Code("Console.WriteLine(\"after\");")));

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal($"{path}[cell 3](3): error: System.InvalidOperationException: no luck", run.Error.Trim());
        var error = Outputs(Cell(nb, 2)).Single(o => (string?)o["output_type"] == "error");
        Assert.Equal(("System.InvalidOperationException", "no luck"), ((string?)error["ename"], (string?)error["evalue"]));
        Assert.Equal("before\n", Stream(Cell(nb, 2)));
        Assert.Null(Cell(nb, 3)["execution_count"]);
        Assert.Empty(Outputs(Cell(nb, 3)));
    }

    [Fact]
    public void ContinueOnError_RunsLaterCells_FromTheLastGoodState_AndExits0()
    {
        using var folder = new ScriptFolder();
        var (run, nb, path) = RunNotebook(folder, Json(
            Code("int a = 20;"),
            Code("throw new ArgumentException(\"bad\");"),
            Code("a + 1")), "--continue-on-error");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains($"{path}[cell 2](1): error: System.ArgumentException: bad", run.Error);
        Assert.Equal("21", Result(Cell(nb, 2)));
    }

    [Fact]
    public void CompileError_IsReportedInTheCompilerFormat_WithCellAndPosition()
    {
        using var folder = new ScriptFolder();
        var (run, nb, path) = RunNotebook(folder, Json(
            Code("int a = 1;"),
            Markdown("between"),
            Code("int b = a;\nint c = undefinedName + 1;")));

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal($"{path}[cell 3](2,9): error CS0103: The name 'undefinedName' does not exist in the current context", run.Error.Trim());
        Assert.Equal("CompilationError", (string?)Outputs(Cell(nb, 2)).Single()["ename"]);
    }

    [Fact]
    public void NuGetReferenceToAPackageAlignLabReferences_IsSkippedWithANote_KeepingLineNumbers()
    {
        using var folder = new ScriptFolder();
        var (run, _, path) = RunNotebook(folder, Json(Code("#r \"nuget: Plotly.NET, 6.0.0\"\n#!about\nthrow new Exception(\"line 3\");")));

        Assert.Contains($"note: {path}[cell 1](1): #r \"nuget: Plotly.NET\" skipped: AlignLab already references Plotly.NET.", run.Output);
        Assert.Contains($"note: {path}[cell 1](2): magic command '#!about' ignored", run.Output);
        Assert.Equal($"{path}[cell 1](3): error: System.Exception: line 3", run.Error.Trim());
    }

    [Fact]
    public void NuGetReferenceToAnyOtherPackage_FailsNamingThePackageAndCell()
    {
        using var folder = new ScriptFolder();
        var (run, nb, path) = RunNotebook(folder, Json(Code("int a = 1;"), Code("#r \"nuget: Newtonsoft.Json, 13.0.3\"\nusing Newtonsoft.Json;")));

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith($"{path}[cell 2](1): error: #r \"nuget: Newtonsoft.Json\": alignlab run cannot restore NuGet packages", run.Error.Trim());
        Assert.Equal("NotebookError", (string?)Outputs(Cell(nb, 1)).Single()["ename"]);
    }

    [Fact]
    public void FSharpCell_FailsNamingTheCell()
    {
        using var folder = new ScriptFolder();
        var (run, _, path) = RunNotebook(folder, Json(Code("#!fsharp\nlet x = 1")));

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith($"{path}[cell 1](1): error: F# cells are not supported", run.Error.Trim());
    }

    [Fact]
    public void MarkdownCellsAndMetadata_AreWrittenBackUnchanged()
    {
        using var folder = new ScriptFolder();
        var markdown = Markdown("# Heading\n", "Some *text* with <b>html</b> and π.");
        markdown["id"] = "cell-id-1";
        string json = Json(markdown, Code("1 + 1"), Code("#!markdown\nThis cell is **markdown** in Polyglot."));
        var (run, nb, _) = RunNotebook(folder, json);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var original = JsonNode.Parse(json)!.AsObject();
        Assert.True(JsonNode.DeepEquals(Cell(original, 0), Cell(nb, 0)));
        Assert.True(JsonNode.DeepEquals(original["metadata"], nb["metadata"]));
        Assert.Null(Cell(nb, 2)["execution_count"]);
    }

    [Fact]
    public void ExecutedNotebook_IsNbformat4_WithExecutionCountsAndWellFormedOutputs_AtTheDefaultPath()
    {
        using var folder = new ScriptFolder();
        string path = folder.Write("my-notes.ipynb", Json(Code("Console.WriteLine(\"a\");"), Code(""), Code("\"b\"")));
        var run = CliRun.Invoke("run", path, "--out", folder.Out);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string executed = Path.Combine(folder.Out, "my-notes.executed.ipynb");
        Assert.Contains($"wrote {executed} (2 cells run)", run.Output);
        var nb = Read(executed);
        Assert.Equal((4, 4), ((int)nb["nbformat"]!, (int)nb["nbformat_minor"]!));
        Assert.Equal([1, null, 2], nb["cells"]!.AsArray().Select(c => (int?)c!["execution_count"]));
        foreach (var output in nb["cells"]!.AsArray().SelectMany(c => Outputs(c!.AsObject())))
        {
            string type = (string)output["output_type"]!;
            Assert.Contains(type, new[] { "stream", "execute_result", "error" });
            if (type == "stream") Assert.IsType<JsonArray>(output["text"]);
            if (type == "execute_result") Assert.IsType<JsonObject>(output["data"]);
        }
        Assert.DoesNotContain(Directory.GetFiles(folder.Out), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void NotANotebook_IsOneLineError_Exit1()
    {
        using var folder = new ScriptFolder();
        string path = folder.Write("broken.ipynb", "{ \"cells\": [ ");
        var run = CliRun.Invoke("run", path, "--out", folder.Out);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith($"alignlab run: {path}: not a notebook: invalid JSON", run.Error.Trim());
        Assert.Single(run.Error.Trim().Split('\n'));
    }

    [Fact]
    public void CellName_IsPathWithOneBasedCellNumber() =>
        Assert.Equal("/x/nb.ipynb[cell 3]", NotebookRunner.CellName("/x/nb.ipynb", 3));
}
