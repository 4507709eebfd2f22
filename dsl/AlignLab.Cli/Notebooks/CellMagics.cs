using System.Text.RegularExpressions;
using AlignLab.Cli.Scripting;

namespace AlignLab.Cli.Notebooks;

/// <summary>
/// The .NET Interactive lines a notebook cell may contain besides C#, and what <c>alignlab run</c> does with them:
/// <list type="bullet">
/// <item><c>#!csharp</c> / <c>#!c#</c>: removed (the cell is C#); <c>#!markdown</c>: the rest of the cell is not code;</item>
/// <item><c>#!fsharp</c> and other language kernels (<c>#!pwsh</c>, <c>#!javascript</c>, <c>#!html</c>, <c>#!sql</c>, …): an error naming the cell;</item>
/// <item>other magic commands (<c>#!about</c>, <c>#!time</c>, <c>#!lsmagic</c>, …): ignored with a note;</item>
/// <item><c>#r "nuget: Id, version"</c>: skipped with a note when AlignLab already references the package
/// (<see cref="AvailablePackages"/>), an error for any other package; <c>#i "nuget: source"</c>: ignored with a note;</item>
/// <item><c>#r "path.dll"</c> and <c>#load "file.csx"</c>: left to the C# script host (paths relative to the notebook's folder).</item>
/// </list>
/// Removed lines become blank lines, so compile errors and exceptions keep the cell's own line numbers.
/// </summary>
public static partial class CellMagics
{
    private static readonly HashSet<string> OtherKernels = new(StringComparer.OrdinalIgnoreCase)
    {
        "pwsh", "powershell", "javascript", "js", "html", "sql", "kql", "mermaid", "http", "value", "python", "r",
    };

    private static readonly Lazy<IReadOnlySet<string>> available = new(() => new SortedSet<string>(
        ScriptReferences.Assemblies.Select(a => a.GetName().Name!)
            .Concat(["TorchSharp-cpu", "TorchSharp-cuda-linux", "TorchSharp-cuda-windows", "Plotly.NET.Interactive"]),
        StringComparer.OrdinalIgnoreCase));

    /// <summary>
    /// Package ids a <c>#r "nuget: …"</c> may name: the assemblies every script is compiled against (AlignLab's own,
    /// TorchSharp, MathNet.Numerics, Plotly.NET, FSharp.Core, …), TorchSharp's CPU/CUDA bundles, and
    /// Plotly.NET.Interactive (<c>alignlab run</c> displays charts itself).
    /// </summary>
    public static IReadOnlySet<string> AvailablePackages => available.Value;

    /// <summary>
    /// Prepares a code cell whose kernel is <paramref name="language"/>. <paramref name="cellName"/> names the cell in
    /// notes and errors, e.g. <c>notebook.ipynb[cell 3]</c>; line numbers are 1-based within the cell.
    /// </summary>
    public static PreparedCell Prepare(string source, string language, string cellName)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(language);
        ArgumentNullException.ThrowIfNull(cellName);
        var notes = new List<string>();
        if (language == "markdown") return new PreparedCell(source, false, [$"{cellName}: a markdown kernel cell, not run."], null);
        if (language != "csharp") return Unsupported(language, cellName, 1, source, notes);

        string[] lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            int number = i + 1;
            if (line.StartsWith("#!", StringComparison.Ordinal))
            {
                string magic = line[2..].Split(' ', 2)[0];
                string kernel = NotebookJson.KernelName(magic);
                if (kernel == "csharp") lines[i] = "";
                else if (kernel == "markdown")
                {
                    notes.Add($"{cellName}({number}): #!markdown: the rest of the cell is markdown, not run.");
                    for (int j = i; j < lines.Length; j++) lines[j] = "";
                    break;
                }
                else if (kernel == "fsharp" || OtherKernels.Contains(kernel)) return Unsupported(kernel, cellName, number, source, notes);
                else
                {
                    notes.Add($"{cellName}({number}): magic command '{line}' ignored (not a .NET Interactive feature alignlab run provides).");
                    lines[i] = "";
                }
            }
            else if (NuGetDirective().Match(line) is { Success: true } directive)
            {
                string id = directive.Groups["id"].Value.Trim();
                if (directive.Groups["kind"].Value == "i")
                    notes.Add($"{cellName}({number}): package source '{id}' ignored: alignlab run restores no packages.");
                else if (AvailablePackages.Contains(id))
                    notes.Add($"{cellName}({number}): #r \"nuget: {id}\" skipped: AlignLab already references {id}.");
                else
                    return new PreparedCell(source, false, notes,
                        $"{cellName}({number}): error: #r \"nuget: {id}\": alignlab run cannot restore NuGet packages; only packages AlignLab "
                        + $"already references can be named ({string.Join(", ", AvailablePackages)}). Reference a local assembly with #r \"path.dll\" instead.");
                lines[i] = "";
            }
        }
        string code = string.Join('\n', lines);
        return new PreparedCell(code, !string.IsNullOrWhiteSpace(code), notes, null);
    }

    private static PreparedCell Unsupported(string kernel, string cellName, int line, string source, List<string> notes) =>
        new(source, false, notes, kernel == "fsharp"
            ? $"{cellName}({line}): error: F# cells are not supported in notebooks by alignlab run; run F# as an .fsx script (alignlab run FILE.fsx) or write the cell in C#."
            : $"{cellName}({line}): error: '{kernel}' cells are not supported by alignlab run; notebook code cells must be C#.");

    [GeneratedRegex("""^#(?<kind>[ri])\s+"\s*nuget\s*:\s*(?<id>[^,"]+)(,[^"]*)?"\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex NuGetDirective();
}
