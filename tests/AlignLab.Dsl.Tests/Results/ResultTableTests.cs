using AlignLab.Dsl.Results;

namespace AlignLab.Dsl.Tests.Results;

public sealed class ResultTableTests
{
    internal static ResultTable Sample() => ResultTable.FromRows(
    [
        new Dictionary<string, object?> { ["method"] = "BoNBoN", ["n"] = 8, ["kl"] = 1.2345678901234567, ["win_rate"] = 0.875 },
        new Dictionary<string, object?> { ["method"] = "DPO, β=0.1", ["kl"] = 0.9, ["win_rate"] = double.NaN, ["exact"] = true },
    ]);

    [Fact]
    public void FromRows_OrdersColumnsByFirstAppearance_AndFillsMissingCellsWithNull()
    {
        var table = Sample();

        Assert.Equal(["method", "n", "kl", "win_rate", "exact"], table.Columns);
        Assert.Null(table.Rows[1]["n"]);
        Assert.Null(table.Rows[0]["exact"]);
    }

    [Fact]
    public void NumericCells_AreStoredAsDoubles()
    {
        var table = Sample();

        Assert.IsType<double>(table.Rows[0]["n"]);
        Assert.Equal(8.0, table.Rows[0]["n"]);
    }

    [Fact]
    public void Json_RoundTripsEveryCell_IncludingNaNAndFullPrecision()
    {
        var table = Sample();

        var loaded = ResultTable.ParseJson(table.ToJson());

        Assert.Equal(table.Columns, loaded.Columns);
        Assert.Equal(table.Rows.Count, loaded.Rows.Count);
        for (var r = 0; r < table.Rows.Count; r++)
            foreach (var column in table.Columns)
                Assert.Equal(table.Rows[r][column], loaded.Rows[r][column]);
        Assert.Equal(1.2345678901234567, loaded.Rows[0]["kl"]);
    }

    [Fact]
    public void Csv_QuotesFieldsWithCommas_AndWritesRoundTripNumbers()
    {
        var csv = Sample().ToCsv();

        Assert.Equal(
            "method,n,kl,win_rate,exact\n" +
            "BoNBoN,8,1.2345678901234567,0.875,\n" +
            "\"DPO, β=0.1\",,0.9,NaN,true\n", csv);
    }

    [Fact]
    public void ToText_AlignsColumns_NumbersRight_TextLeft()
    {
        var text = Sample().ToText(significantDigits: 3);

        Assert.Equal(
            "method      n  kl    win_rate  exact\n" +
            "----------  -  ----  --------  -----\n" +
            "BoNBoN      8  1.23     0.875  -\n" +
            "DPO, β=0.1  -   0.9       NaN  true\n", text);
    }

    [Fact]
    public void Column_ReturnsTheNumbers_ForReplotting()
    {
        Assert.Equal([1.2345678901234567, 0.9], Sample().Column("kl"));
        Assert.Equal(["BoNBoN", "DPO, β=0.1"], Sample().TextColumn("method"));
    }

    [Fact]
    public void Column_RejectsNonNumericCell_NamingTheRow()
    {
        var error = Assert.Throws<ArgumentException>(() => Sample().Column("n"));
        Assert.Contains("column 'n' row 1 holds null", error.Message);
        Assert.Contains("not in the table", Assert.Throws<ArgumentException>(() => Sample().Column("loss")).Message);
    }

    [Fact]
    public void Constructor_RejectsUnsupportedCellType_NamingRowAndColumn()
    {
        var error = Assert.Throws<ArgumentException>(() => ResultTable.FromRows(
            [new Dictionary<string, object?> { ["a"] = 1 }, new Dictionary<string, object?> { ["a"] = new[] { 1, 2 } }]));

        Assert.Contains("rows[1]['a']", error.Message);
        Assert.Equal("rows", error.ParamName);
    }

    [Fact]
    public void Constructor_RejectsDuplicateColumnsAndUnknownKeys()
    {
        Assert.Contains("columns[1] = 'a' appears twice",
            Assert.Throws<ArgumentException>(() => new ResultTable(["a", "a"], [])).Message);
        Assert.Contains("rows[0] has column 'b'",
            Assert.Throws<ArgumentException>(() => new ResultTable(["a"], [new Dictionary<string, object?> { ["b"] = 1 }])).Message);
    }
}
