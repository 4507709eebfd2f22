using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace AlignLab.Cli.Tests;

/// <summary>
/// scripts/real/bonbon_pipeline.csx and .fsx with <c>--set quick=true</c> (issue 11, item 7): on the toy task exported as
/// Hugging Face folders (a fresh model cache, so the export is part of the run), they build best-of-n data, train
/// BoNBoN, DPO and IPO-BoN from it and write a table whose every method has finite values with standard errors, the
/// same in both languages.
/// </summary>
public class RealPipelineScriptTests(ITestOutputHelper output)
{
    private static readonly string[] Methods = ["base", "best-of-n(n=4)", "BoNBoN(n=4, α=rule)", "DPO(n=4, β=0.1)", "IPO-BoN(n=4)"];

    private static readonly string[] Estimates = ["win_rate", "kl", "expected_reward", "off_target"];

    [Fact]
    public void QuickPipeline_CsxAndFsx_WriteTheSameTable_EveryMethodWithFiniteValuesAndStandardErrors()
    {
        var csx = Run("bonbon_pipeline.csx");
        var fsx = Run("bonbon_pipeline.fsx");
        // The twins compute the same numbers (the training time aside).
        Assert.Equal(Cells(csx), Cells(fsx));
    }

    /// <summary>Runs the script quick, checks its outputs, and returns its table's rows.</summary>
    private JsonArray Run(string script)
    {
        using var folder = new ScriptFolder();
        var clock = Stopwatch.StartNew();
        var run = CliRun.Invoke("run", Path.Combine(ScriptFolder.RepositoryRoot(), "scripts", "real", script), "--set", "quick=true", "--out", folder.Out);
        output.WriteLine($"scripts/real/{script} --set quick=true: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(run.ExitCode == ExitCodes.Success, $"scripts/real/{script} exited {run.ExitCode}: {run.Error}");
        output.WriteLine(run.Output);

        var table = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Out, "table.json")))!["rows"]!.AsArray();
        Assert.Equal(Methods, table.Select(r => r!["method"]!.GetValue<string>()));
        foreach (var row in table)
        {
            var method = row!["method"]!.GetValue<string>();
            foreach (var name in Estimates)
            {
                Assert.True(row[name] is JsonValue v && double.IsFinite(v.GetValue<double>()), $"{method}: {name} is {row[name]}");
                Assert.True(row[name + "_se"] is JsonValue s && s.GetValue<double>() >= 0, $"{method}: {name}_se is {row[name + "_se"]}");
            }
            // The base is its own reference: its KL (0) and win rate (½) are exact. Everything else is estimated.
            if (method == "base")
            {
                Assert.Equal(0.5, row["win_rate"]!.GetValue<double>());
                continue;
            }
            Assert.True(row["kl_se"]!.GetValue<double>() > 0, $"{method}: a KL estimate without a standard error");
            Assert.True(row["win_rate_se"]!.GetValue<double>() > 0, $"{method}: a win rate without a standard error");
        }
        Assert.Equal(Math.Log(4) - 0.75, table[1]!["kl_bound"]!.GetValue<double>(), 12);
        Assert.All(table.Skip(2), r => Assert.Equal(12, r!["steps"]!.GetValue<int>()));
        // BoNBoN's α is the one the authors' rule chose from the first batch.
        Assert.InRange(table[2]!["alpha"]!.GetValue<double>(), 1e-6, 1 - 1e-6);

        // 24 toy prompts, 8 held out: the best-of-n data covers the 16 training prompts, 4 samples each.
        var records = File.ReadAllLines(Path.Combine(folder.Out, "bon_n4.jsonl"));
        Assert.Equal(16, records.Length);
        Assert.All(records, r => Assert.Equal(4, JsonNode.Parse(r)!["samples"]!.AsArray().Count));
        var chart = File.ReadAllText(Path.Combine(folder.Out, "frontier.html"));
        Assert.Contains("error_x", chart);
        Assert.Contains("best-of-n (theory", chart);
        return table;
    }

    private static List<string> Cells(JsonArray table) =>
        [.. table.Select(row => string.Join(" | ", row!.AsObject().Where(c => c.Key != "train_seconds").Select(c => $"{c.Key}={c.Value?.ToJsonString()}")))];
}
