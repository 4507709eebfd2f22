using AlignLab.Cli.Scripting;

namespace AlignLab.Cli.Tests;

public class ScriptReferencesTests
{
    [Fact]
    public void AlignLabAssemblies_AreFoundByFollowingReferencesFromDsl()
    {
        var names = ScriptReferences.AlignLabAssemblies.Select(a => a.GetName().Name).ToList();
        Assert.Equal(["AlignLab.Dsl", "AlignLab.Engine", "AlignLab.Models", "AlignLab.Theory"], names);
    }

    [Fact]
    public void Namespaces_IncludeEveryNamespaceWithAPublicAlignLabType()
    {
        var expected = ScriptReferences.AlignLabAssemblies.SelectMany(a => a.GetExportedTypes()).Select(t => t.Namespace!).Distinct();
        Assert.Superset(expected.ToHashSet(), ScriptReferences.Namespaces.ToHashSet());
        Assert.Contains("AlignLab.Theory", ScriptReferences.Namespaces);
        Assert.Contains("AlignLab.Dsl.Scripting", ScriptReferences.Namespaces);
        Assert.DoesNotContain(ScriptReferences.Namespaces, n => n.StartsWith("AlignLab.Cli", StringComparison.Ordinal));
    }

    [Fact]
    public void Assemblies_IncludeTorchSharpAndEveryAlignLabAssembly()
    {
        var names = ScriptReferences.Assemblies.Select(a => a.GetName().Name).ToHashSet();
        Assert.Contains("TorchSharp", names);
        Assert.Superset(ScriptReferences.AlignLabAssemblies.Select(a => a.GetName().Name).ToHashSet(), names);
        Assert.All(ScriptReferences.Assemblies, a => Assert.True(File.Exists(a.Location), a.FullName));
    }
}
