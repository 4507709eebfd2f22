using AlignLab.Dsl.Scripting;

namespace AlignLab.Dsl.Tests.Scripting;

public sealed class ScriptContextTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("alignlab-context-");

    public void Dispose() => folder.Delete(recursive: true);

    private ScriptContext Context(Dictionary<string, string> args, List<string>? log = null) =>
        new(Path.Combine(folder.FullName, "exp.csx"), args, Path.Combine(folder.FullName, "out", "exp"), line => log?.Add(line), CancellationToken.None);

    [Fact]
    public void Args_ParseInvariantCulture_AndFallBackToDefaults()
    {
        var context = Context(new() { ["beta"] = "0.125", ["n"] = "16", ["flag"] = "true", ["name"] = "x" });
        Assert.Equal(0.125, context.Arg("beta", 1.0));
        Assert.Equal(16, context.Arg("n", 1));
        Assert.True(context.Arg("flag", false));
        Assert.Equal("x", context.Arg("name", "default"));
        Assert.Equal(7L, context.Arg("absent", 7L));
        Assert.Equal(2.5, context.Arg("absent", 2.5));
    }

    [Fact]
    public void UnparsableArg_ThrowsNamingArgumentAndText()
    {
        var context = Context(new() { ["n"] = "many" });
        var error = Assert.Throws<ArgumentException>(() => context.Arg("n", 1));
        Assert.StartsWith("Script argument 'n' must be a Int32 (got 'many').", error.Message);
    }

    [Fact]
    public void OutputDirectory_IsCreatedAndAbsolute_AndLogGoesToTheSink()
    {
        var log = new List<string>();
        var context = Context([], log);
        Assert.True(Directory.Exists(context.OutputDirectory));
        Assert.Equal(Path.Combine(folder.FullName, "out", "exp", "a.csv"), context.OutputPath("a.csv"));
        Assert.Equal("exp", context.ScriptName);
        context.Log("hello");
        Assert.Equal(["hello"], log);
    }

    [Fact]
    public async Task Current_IsPerLogicalFlow_AndForScriptFallsBackWithoutHost()
    {
        var context = Context([]);
        await Task.Run(() =>
        {
            ScriptContext.Current = context;
            Assert.Same(context, ScriptContext.ForScript("ignored.fsx"));
        });
        Assert.False(ScriptContext.HasCurrent);
        Assert.Throws<InvalidOperationException>(() => ScriptContext.Current);
        var standalone = ScriptContext.ForScript(Path.Combine(folder.FullName, "other.fsx"));
        Assert.Equal(ScriptContext.DefaultOutputDirectory("other.fsx"), standalone.OutputDirectory);
        Directory.Delete(standalone.OutputDirectory);
    }
}
