using System.Diagnostics;
using System.Text.Json.Nodes;
using AlignLab.Cli.Scripting;
using AlignLab.Dsl.Scripting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace AlignLab.Cli.Notebooks;

/// <summary>
/// Runs a .NET Interactive (Polyglot) notebook: its C# code cells in order in ONE Roslyn script state (each cell
/// continues the previous one, so variables, functions and types carry over), with the same references, imports and
/// <see cref="ScriptContext"/> globals as a <c>.csx</c> script (<see cref="ScriptReferences"/>), the notebook's
/// <c>#r</c>/<c>#!</c> lines handled by <see cref="CellMagics"/>. Each cell's console output, trailing value
/// (<see cref="CellDisplay"/>) and error become its nbformat outputs, and the executed notebook is written atomically.
/// A cell is named <c>notebook.ipynb[cell k]</c> (k counts every cell from 1) in errors:
/// <c>notebook.ipynb[cell 3](line,col): error CSxxxx: message</c> for compile errors,
/// <c>notebook.ipynb[cell 3](line): error: ExceptionType: message</c> for exceptions.
/// </summary>
public static class NotebookRunner
{
    /// <summary>
    /// Runs the notebook at <paramref name="notebookPath"/> with script arguments <paramref name="args"/> and writes the
    /// executed notebook. <paramref name="outPath"/> (the <c>--out</c> option) is either the executed notebook's path
    /// (ending in <c>.ipynb</c>; the cells' output folder is then its folder) or the output folder (the notebook is then
    /// written to <c>&lt;folder&gt;/&lt;name&gt;.executed.ipynb</c>); null means the folder <c>./out/&lt;name&gt;</c>.
    /// Cell output is echoed to <paramref name="output"/> (a cell's <c>Log(...)</c> and console writes land in its
    /// notebook output); notes on skipped <c>#r</c> lines and ignored magics go there too; errors go to <paramref name="error"/>.
    /// The first failing cell stops the run and the result is <see cref="ExitCodes.Failure"/>, unless
    /// <paramref name="continueOnError"/>, which runs every cell (a later cell continues from the last successful one)
    /// and returns <see cref="ExitCodes.Success"/>. The executed notebook is written in every case but cancellation
    /// (<see cref="ExitCodes.Cancelled"/>).
    /// </summary>
    public static int Run(string notebookPath, IReadOnlyDictionary<string, string> args, string? outPath, bool continueOnError,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(notebookPath);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string name = Path.GetFileNameWithoutExtension(notebookPath);
        bool outIsNotebook = outPath is not null && outPath.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase);
        string folder = outIsNotebook
            ? Path.GetDirectoryName(Path.GetFullPath(outPath!))!
            : outPath ?? ScriptContext.DefaultOutputDirectory(notebookPath);
        string executedPath = outIsNotebook ? Path.GetFullPath(outPath!) : Path.Combine(Path.GetFullPath(folder), $"{name}.executed.ipynb");
        var log = TextWriter.Synchronized(output);
        var context = new ScriptContext(notebookPath, args, folder, line => (CellConsole.CurrentOut ?? log).WriteLine(line), cancellationToken);
        return RunAsync(context, executedPath, continueOnError, log, error).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(ScriptContext context, string executedPath, bool continueOnError, TextWriter output, TextWriter error)
    {
        NotebookDocument notebook;
        try
        {
            notebook = NotebookDocument.Load(context.ScriptPath);
        }
        catch (InvalidDataException e)
        {
            error.WriteLine($"alignlab run: {e.Message}");
            return ExitCodes.Failure;
        }

        string folder = Path.GetDirectoryName(notebook.Path)!;
        var options = ScriptReferences.CSharpOptions(folder);

        ScriptContext.Current = context;
        ScriptState<object>? state = null;
        int executionCount = 0, failures = 0;
        try
        {
            foreach (var cell in notebook.Cells.Where(c => c.CellType == "code"))
            {
                string name = CellName(notebook.Path, cell.Number);
                var prepared = CellMagics.Prepare(cell.Source, cell.Language, name);
                foreach (var note in prepared.Notes) output.WriteLine($"note: {note}");
                if (prepared.Error is not null)
                {
                    error.WriteLine(prepared.Error);
                    cell.SetResult(null, [NotebookJson.Error("NotebookError", prepared.Error, [prepared.Error])]);
                    failures++;
                    if (continueOnError) continue;
                    break;
                }
                if (!prepared.Runs)
                {
                    cell.SetResult(null, []);
                    continue;
                }

                int count = ++executionCount;
                var (next, outputs, failed) = await RunCellAsync(state, prepared.Code, options.WithFilePath(name), name, count, context, output, error);
                cell.SetResult(count, outputs);
                if (next is not null) state = next;
                if (failed)
                {
                    failures++;
                    if (!continueOnError) break;
                }
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            return ScriptOutcome.ReportCancelled(error);
        }

        string written = notebook.Save(executedPath);
        output.WriteLine($"wrote {written} ({executionCount} cells run{(failures > 0 ? $", {failures} failed" : "")})");
        return failures == 0 || continueOnError ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>How a cell is named in errors and in stack traces: <c>path[cell k]</c>.</summary>
    public static string CellName(string notebookPath, int cellNumber) => $"{notebookPath}[cell {cellNumber}]";

    private static async Task<(ScriptState<object>? State, JsonArray Outputs, bool Failed)> RunCellAsync(ScriptState<object>? previous,
        string code, ScriptOptions options, string name, int count, ScriptContext context, TextWriter output, TextWriter error)
    {
        var script = previous is null
            ? CSharpScript.Create(code, options, typeof(ScriptContext))
            : previous.Script.ContinueWith(code, options);
        var errors = script.Compile(context.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            var lines = errors.Select(d => FormatDiagnostic(d, name)).ToList();
            foreach (var line in lines) error.WriteLine(line);
            return (null, [NotebookJson.Error("CompilationError", string.Join("\n", lines), lines)], true);
        }

        var stdout = new CellCapture(output);
        var stderr = new CellCapture(error);
        ScriptState<object> state;
        using (CellConsole.Capture(stdout, stderr))
        {
            state = previous is null
                ? await script.RunAsync(context, _ => true, context.CancellationToken)
                : await script.RunFromAsync(previous, _ => true, context.CancellationToken);
        }

        var outputs = new JsonArray();
        if (stdout.Text.Length > 0) outputs.Add(NotebookJson.Stream("stdout", stdout.Text));
        if (stderr.Text.Length > 0) outputs.Add(NotebookJson.Stream("stderr", stderr.Text));
        if (state.Exception is { } exception)
        {
            var inner = ScriptErrors.Unwrap(exception);
            if (inner is OperationCanceledException && context.CancellationToken.IsCancellationRequested) throw inner;
            string line = $"{Where(inner, name)}: error: {inner.GetType().FullName}: {inner.Message}";
            error.WriteLine(line);
            outputs.Add(NotebookJson.Error(inner.GetType().FullName!, inner.Message, [line]));
            return (null, outputs, true);
        }
        if (state.ReturnValue is { } value) outputs.Add(NotebookJson.ExecuteResult(count, CellDisplay.Format(value)));
        return (state, outputs, false);
    }

    private static string FormatDiagnostic(Diagnostic diagnostic, string name)
    {
        if (!diagnostic.Location.IsInSource) return $"{name}: error {diagnostic.Id}: {diagnostic.GetMessage()}";
        var span = diagnostic.Location.GetMappedLineSpan();
        string file = string.IsNullOrEmpty(span.Path) ? name : span.Path;
        return ScriptErrors.CompileError(file, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, diagnostic.Id, diagnostic.GetMessage());
    }

    // The innermost frame in a cell of this notebook (the failing cell, or an earlier cell that defined the function
    // it called) or in a #load-ed .csx file; the failing cell itself when no frame has line information.
    private static string Where(Exception exception, string cellName)
    {
        string prefix = cellName[..(cellName.LastIndexOf("[cell ", StringComparison.Ordinal) + 6)];
        foreach (var frame in new StackTrace(exception, fNeedFileInfo: true).GetFrames())
        {
            var file = frame.GetFileName();
            if (file is null || frame.GetFileLineNumber() <= 0) continue;
            if (file.StartsWith(prefix, StringComparison.Ordinal) || file.EndsWith(".csx", StringComparison.OrdinalIgnoreCase))
                return $"{file}({frame.GetFileLineNumber()})";
        }
        return cellName;
    }
}
