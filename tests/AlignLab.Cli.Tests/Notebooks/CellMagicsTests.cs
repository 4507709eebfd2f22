using AlignLab.Cli.Notebooks;

namespace AlignLab.Cli.Tests.Notebooks;

public class CellMagicsTests
{
    [Fact]
    public void MagicAndNuGetLines_BecomeBlankLines_SoLineNumbersStay()
    {
        var cell = CellMagics.Prepare("#!csharp\n#r \"nuget: MathNet.Numerics, 5.0.0\"\n#i \"nuget: https://example.org/feed\"\n#!time\nint x = 1;", "csharp", "nb[cell 1]");

        Assert.Equal("\n\n\n\nint x = 1;", cell.Code);
        Assert.True(cell.Runs);
        Assert.Null(cell.Error);
        Assert.Equal(3, cell.Notes.Count);
    }

    [Fact]
    public void LocalAssemblyReference_IsLeftToTheScriptHost()
    {
        var cell = CellMagics.Prepare("#r \"lib/My.dll\"\nint x = 1;", "csharp", "nb[cell 1]");
        Assert.Equal("#r \"lib/My.dll\"\nint x = 1;", cell.Code);
        Assert.Empty(cell.Notes);
    }

    [Theory]
    [InlineData("torchsharp-cpu")]
    [InlineData("AlignLab.Engine")]
    [InlineData("FSharp.Core")]
    public void PackagesAlignLabReferences_AreAvailable(string id) => Assert.Contains(id, CellMagics.AvailablePackages);

    [Fact]
    public void MarkdownMagic_StopsTheCodeThere()
    {
        var cell = CellMagics.Prepare("#!markdown\n# Not code", "csharp", "nb[cell 2]");
        Assert.False(cell.Runs);
        Assert.Null(cell.Error);
    }

    [Theory]
    [InlineData("fsharp", "let x = 1", "nb[cell 4](1): error: F# cells are not supported")]
    [InlineData("csharp", "int a = 1;\n#!pwsh\nGet-Item .", "nb[cell 4](2): error: 'pwsh' cells are not supported")]
    public void OtherLanguages_AreErrorsNamingCellAndLine(string language, string source, string expectedStart)
    {
        var cell = CellMagics.Prepare(source, language, "nb[cell 4]");
        Assert.False(cell.Runs);
        Assert.StartsWith(expectedStart, cell.Error);
    }

    [Fact]
    public void EmptyCell_DoesNotRun() => Assert.False(CellMagics.Prepare("  \n\n", "csharp", "c").Runs);
}
