using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using AlignLab.Dsl.Scripting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace AlignLab.Cli.Scripting;

/// <summary>
/// What a hosted script is compiled against: the AlignLab assemblies (found from <c>AlignLab.Dsl</c> by following its
/// references), the assemblies they reference directly (TorchSharp, MathNet.Numerics, Plotly.NET, FSharp.Core, ...),
/// TorchSharp (whose namespace every script imports, whether or not AlignLab's compiled code names it yet), and the
/// namespaces to import: every namespace with a public AlignLab type, discovered by reflection so the list
/// grows with the library.
/// </summary>
public static class ScriptReferences
{
    private static readonly Lazy<IReadOnlyList<Assembly>> alignLab = new(FindAlignLabAssemblies);
    private static readonly Lazy<IReadOnlyList<Assembly>> all = new(FindAllAssemblies);
    private static readonly Lazy<IReadOnlyList<string>> namespaces = new(FindNamespaces);

    /// <summary>Namespaces every script imports besides AlignLab's own.</summary>
    public static IReadOnlyList<string> StandardNamespaces { get; } =
    [
        "System", "System.Collections.Generic", "System.Globalization", "System.IO", "System.Linq", "System.Text",
        "System.Threading", "System.Threading.Tasks", "TorchSharp",
    ];

    /// <summary>The AlignLab assemblies (Dsl, Engine, Theory, ...).</summary>
    public static IReadOnlyList<Assembly> AlignLabAssemblies => alignLab.Value;

    /// <summary>The AlignLab assemblies and every assembly they reference directly that could be loaded.</summary>
    public static IReadOnlyList<Assembly> Assemblies => all.Value;

    /// <summary><see cref="StandardNamespaces"/> followed by every namespace holding a public AlignLab type, sorted.</summary>
    public static IReadOnlyList<string> Namespaces => namespaces.Value;

    /// <summary>
    /// The Roslyn options every C# script and notebook cell compiles with: UTF-8, debug information (line numbers in
    /// errors), <see cref="Assemblies"/> and <see cref="Namespaces"/>, and <c>#load</c> / <c>#r</c> resolved relative to
    /// <paramref name="folder"/>, the script's or notebook's own folder.
    /// </summary>
    public static ScriptOptions CSharpOptions(string folder) =>
        ScriptOptions.Default
            .WithFileEncoding(Encoding.UTF8)
            .WithEmitDebugInformation(true)
            .AddReferences(Assemblies)
            .AddImports(Namespaces)
            .WithSourceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, folder))
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(folder));

    private static bool IsAlignLab(AssemblyName name) => name.Name?.StartsWith("AlignLab.", StringComparison.Ordinal) == true;

    private static IReadOnlyList<Assembly> FindAlignLabAssemblies()
    {
        var found = new Dictionary<string, Assembly>();
        var pending = new Stack<Assembly>([typeof(ScriptContext).Assembly]);
        while (pending.Count > 0)
        {
            var assembly = pending.Pop();
            if (!found.TryAdd(assembly.GetName().Name!, assembly)) continue;
            foreach (var reference in assembly.GetReferencedAssemblies().Where(IsAlignLab)) pending.Push(Assembly.Load(reference));
        }
        return [.. found.Values.OrderBy(a => a.GetName().Name, StringComparer.Ordinal)];
    }

    private static IReadOnlyList<Assembly> FindAllAssemblies()
    {
        var result = new Dictionary<string, Assembly> { [typeof(TorchSharp.torch).Assembly.GetName().Name!] = typeof(TorchSharp.torch).Assembly };
        foreach (var assembly in AlignLabAssemblies)
        {
            result.TryAdd(assembly.GetName().Name!, assembly);
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (result.ContainsKey(reference.Name!)) continue;
                // A reference that cannot be loaded is one no public AlignLab signature can need at run time.
                try { result.Add(reference.Name!, Assembly.Load(reference)); }
                catch (FileNotFoundException) { }
            }
        }
        return [.. result.Values.Where(a => !a.IsDynamic && a.Location.Length > 0)];
    }

    private static IReadOnlyList<string> FindNamespaces()
    {
        var own = AlignLabAssemblies
            .SelectMany(a => a.GetExportedTypes())
            .Select(t => t.Namespace)
            .OfType<string>()
            .Distinct()
            .Order(StringComparer.Ordinal);
        return [.. StandardNamespaces, .. own];
    }
}
