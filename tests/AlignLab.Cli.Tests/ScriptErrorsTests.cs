using System.Reflection;
using AlignLab.Cli.Scripting;

namespace AlignLab.Cli.Tests;

public class ScriptErrorsTests
{
    [Fact]
    public void CompileError_HasTheCompilerFormat()
    {
        Assert.Equal("/a/b.csx(3,7): error CS0103: The name 'x' does not exist",
            ScriptErrors.CompileError("/a/b.csx", 3, 7, "CS0103", "The name 'x' does not exist"));
    }

    [Fact]
    public void Unwrap_RemovesReflectionAndSingleTaskWrappers()
    {
        var inner = new InvalidOperationException("inner");
        Assert.Same(inner, ScriptErrors.Unwrap(new TargetInvocationException(new AggregateException(inner))));
        var two = new AggregateException(inner, new ArgumentException("other"));
        Assert.Same(two, ScriptErrors.Unwrap(two));
    }

    [Fact]
    public void RuntimeError_WithoutAScriptFrame_NamesTheScriptWithoutALine()
    {
        Exception thrown;
        try { throw new ArgumentException("bad"); }
        catch (ArgumentException e) { thrown = e; }
        // This frame is in a .cs file, not a .csx one, so no line can be attributed to the script.
        Assert.Equal("/s/x.csx: error: System.ArgumentException: bad", ScriptErrors.RuntimeError(thrown, "/s/x.csx", ".csx"));
    }
}
