using System.Text.Json;
using AlignLab.Cli.Commands;
using AlignLab.Theory;

namespace AlignLab.Cli.Tests;

public sealed class TheoryCommandTests : IDisposable
{
    private const string Case = """
        {"probs":[0.1,0.3,0.2,0.2,0.2], "rewards":[1,3,1,2,3],
         "policies":[{"kind":"base"},{"kind":"bon","n":4},{"kind":"worst","n":4},{"kind":"optimal","c":3.0},{"kind":"rlhf","beta":0.5}]}
        """;

    private static readonly RewardDistribution Distribution =
        new(new[] { 0.1, 0.3, 0.2, 0.2, 0.2 }, new[] { 1.0, 3.0, 1.0, 2.0, 3.0 });

    private readonly ScriptFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Eval_PrintsEachPolicyInOrder_WithItsExactMeasures()
    {
        var run = CliRun.Invoke("theory", "eval", "--input", folder.Write("case.json", Case));
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("", run.Error);
        var policies = JsonDocument.Parse(run.Output).RootElement.GetProperty("policies").EnumerateArray().ToArray();
        var expected = new (string Kind, string? Name, DiscretePolicy Policy)[]
        {
            ("base", null, Tilting.Base(Distribution)),
            ("bon", "n", Tilting.BestOfN(Distribution, 4)),
            ("worst", "n", Tilting.WorstOfN(Distribution, 4)),
            ("optimal", "c", Tilting.WinRateOptimal(Distribution, 3.0)),
            ("rlhf", "beta", Tilting.Rlhf(Distribution, 0.5)),
        };
        Assert.Equal(expected.Length, policies.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            var (kind, name, policy) = expected[i];
            var json = policies[i];
            Assert.Equal(kind, json.GetProperty("kind").GetString());
            if (name is not null) Assert.Equal(policy.Parameter, json.GetProperty(name).GetDouble());
            var probs = json.GetProperty("probs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(policy.Probabilities, probs);
            Assert.Equal(Measures.WinRate(policy), json.GetProperty("winRate").GetDouble());
            Assert.Equal(Measures.Kl(policy), json.GetProperty("kl").GetDouble());
            Assert.Equal(Measures.ReverseKl(policy), json.GetProperty("reverseKl").GetDouble());
            Assert.Equal(Measures.ExpectedReward(policy), json.GetProperty("expectedReward").GetDouble());
        }
        Assert.Equal(0.5, policies[0].GetProperty("winRate").GetDouble(), 1e-15);
        Assert.Equal(0.0, policies[0].GetProperty("kl").GetDouble());
    }

    [Fact]
    public void Eval_WithOutput_WritesTheFileAndNothingToStdout()
    {
        string outPath = Path.Combine(folder.Path, "out.json");
        var run = CliRun.Invoke("theory", "eval", "--input", folder.Write("case.json", Case), "--output", outPath);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("", run.Output);
        var policies = JsonDocument.Parse(File.ReadAllText(outPath)).RootElement.GetProperty("policies");
        Assert.Equal(5, policies.GetArrayLength());
        // Written atomically: no temporary file is left next to it.
        Assert.Equal(["case.json", "out.json"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Eval_OutputInAMissingFolder_OneLine_ExitCode2_BeforeAnyWork()
    {
        string missing = Path.Combine(folder.Path, "no-such-dir", "out.json");
        // The case is invalid too: the --output check comes first, before the case is read.
        var run = CliRun.Invoke("theory", "eval", "--input", folder.Write("case.json", "{"), "--output", missing);
        AssertInvalidInput(run, $"cannot write '{missing}': the folder '{Path.GetDirectoryName(missing)}' does not exist.");
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }

    [Fact]
    public void Eval_OutputIsAFolder_ExitCode2()
    {
        var run = CliRun.Invoke("theory", "eval", "--input", folder.Write("case.json", Case), "--output", folder.Path);
        AssertInvalidInput(run, $"--output '{folder.Path}' is a folder");
    }

    [Fact]
    public void Eval_InputIsAFolder_ExitCode2()
    {
        var run = CliRun.Invoke("theory", "eval", "--input", folder.Path);
        AssertInvalidInput(run, $"'{folder.Path}' is a folder; --input takes a case file");
    }

    [Theory]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,2], \"polices\":[{\"kind\":\"bon\",\"n\":4}]}",
        "case.json: unknown key \"polices\"; a case file has \"probs\", \"rewards\" and \"policies\".")]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,2], \"probs\":[0.9,0.1]}", "case.json: duplicate key \"probs\".")]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,2], \"policies\":[{\"kind\":\"bon\",\"n\":4,\"c\":2}]}",
        "case.json: policies[0] (kind \"bon\"): unknown key \"c\"; kind \"bon\" takes \"n\".")]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,2], \"policies\":[{\"kind\":\"base\",\"n\":4}]}",
        "policies[0] (kind \"base\"): unknown key \"n\"; kind \"base\" takes no parameter.")]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,2], \"policies\":[{\"kind\":\"bon\",\"n\":4,\"n\":8}]}",
        "case.json: policies[0]: duplicate key \"n\".")]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,2], \"policies\":[{\"kind\":\"rlhf\",\"kind\":\"bon\",\"n\":2}]}",
        "case.json: policies[0]: duplicate key \"kind\".")]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,1e400]}", "case.json: rewards[1] = 1e400 is outside the range of a double")]
    public void Eval_UnknownDuplicateOrOutOfRange_NamesTheKey_ExitCode2(string json, string expected)
    {
        var run = CliRun.Invoke("theory", "eval", "--input", folder.Write("case.json", json));
        AssertInvalidInput(run, expected);
    }

    [Fact]
    public void Eval_RewardsNearTheDoubleRange_AreComputedExactly_NotBlamedAsNaN()
    {
        // r/β = 2e308 overflows a double; the RLHF tilt only needs (r − r_top)/β, which is 0 or −∞ here.
        var run = CliRun.Invoke("theory", "eval", "--input", folder.Write("case.json",
            """{"probs":[0.3,0.3,0.4],"rewards":[1e308,1e308,-1e308],"policies":[{"kind":"rlhf","beta":0.5},{"kind":"bon","n":4}]}"""));
        Assert.Equal((ExitCodes.Success, ""), (run.ExitCode, run.Error));
        var policies = JsonDocument.Parse(run.Output).RootElement.GetProperty("policies");
        Assert.Equal([0.5, 0.5, 0.0], policies[0].GetProperty("probs").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(1e308, policies[0].GetProperty("expectedReward").GetDouble());
        Assert.Equal(1.0 - Math.Pow(0.4, 4), policies[1].GetProperty("probs").EnumerateArray().Take(2).Sum(e => e.GetDouble()), 1e-12);
    }

    [Fact]
    public void Eval_InfiniteReverseKl_IsWrittenAsTheStringInfinity()
    {
        // BoN at n = 10⁶ leaves no mass below the top level, so KL(p‖π) is infinite.
        var run = CliRun.Invoke("theory", "eval", "--input",
            folder.Write("case.json", """{"probs":[0.5,0.5],"rewards":[0,1],"policies":[{"kind":"bon","n":1000000}]}"""));
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var policy = JsonDocument.Parse(run.Output).RootElement.GetProperty("policies")[0];
        Assert.Equal("Infinity", policy.GetProperty("reverseKl").GetString());
        Assert.Equal(Math.Log(2.0), policy.GetProperty("kl").GetDouble(), 1e-12);
    }

    [Theory]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,", "is not valid JSON")]
    [InlineData("{\"probs\":[0.5,0.3,0.2], \"rewards\":[1,2]}", "probs has 3 entries but rewards has 2")]
    [InlineData("{\"probs\":[0.7,0.5,-0.2], \"rewards\":[1,2,3]}", "probs[2] = -0.2 is negative")]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,\"NaN\"]}", "rewards[1] = NaN is not a finite number")]
    [InlineData("{\"probs\":[0.5,0.6], \"rewards\":[1,2]}", "probs sums to 1.1")]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,\"x\"]}", "rewards[1] must be a number, got the string \"x\"")]
    [InlineData("{\"rewards\":[1,2]}", "missing \"probs\"")]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,2], \"policies\":[{\"kind\":\"bon\",\"n\":0.5}]}", "policies[0]: n = 0.5 must be a finite number >= 1")]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,2], \"policies\":[{\"kind\":\"base\"},{\"kind\":\"bon\"}]}", "policies[1] (kind \"bon\") needs a number \"n\"")]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,2], \"policies\":[{\"kind\":\"best\",\"n\":2}]}", "unknown kind \"best\"")]
    [InlineData("{\"probs\":[0.5,0.5], \"rewards\":[1,2], \"policies\":[{\"kind\":\"rlhf\",\"beta\":0}]}", "beta = 0 must be a finite number > 0")]
    public void Eval_InvalidInput_OneMessageOnStderr_ExitCode2(string json, string expected)
    {
        var run = CliRun.Invoke("theory", "eval", "--input", folder.Write("case.json", json));
        AssertInvalidInput(run, expected);
    }

    [Fact]
    public void Eval_MissingFile_ExitCode2()
    {
        var run = CliRun.Invoke("theory", "eval", "--input", Path.Combine(folder.Path, "absent.json"));
        AssertInvalidInput(run, "cannot read case file");
    }

    [Theory]
    [InlineData("bon", FrontierFamily.BestOfN)]
    [InlineData("optimal", FrontierFamily.Optimal)]
    [InlineData("rlhf", FrontierFamily.Rlhf)]
    public void Frontier_PrintsTheLibrarysCurve_AtEvenKlTargets(string family, FrontierFamily expectedFamily)
    {
        var run = CliRun.Invoke("theory", "frontier", "--input", folder.Write("case.json", Case), "--family", family, "--points", "4", "--max-kl", "0.6");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var root = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal(family, root.GetProperty("family").GetString());
        var points = root.GetProperty("points").EnumerateArray().ToArray();
        var expected = Frontiers.ForKlRange(Distribution, expectedFamily, 4, 0.6);
        Assert.Equal(4, points.Length);
        for (int j = 0; j < 4; j++)
        {
            Assert.Equal(0.6 * (j + 1) / 4, points[j].GetProperty("kl").GetDouble(), 1e-9);
            Assert.Equal(expected[j].Parameter, points[j].GetProperty("parameter").GetDouble());
            Assert.Equal(expected[j].WinRate, points[j].GetProperty("winRate").GetDouble());
            Assert.Equal(expected[j].ExpectedReward, points[j].GetProperty("expectedReward").GetDouble());
        }
    }

    [Fact]
    public void Frontier_DefaultMaxKl_IsNineTenthsOfTheSupremum()
    {
        var run = CliRun.Invoke("theory", "frontier", "--input", folder.Write("case.json", Case), "--family", "bon", "--points", "2");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var points = JsonDocument.Parse(run.Output).RootElement.GetProperty("points");
        Assert.Equal(0.9 * Math.Log(2.0), points[1].GetProperty("kl").GetDouble(), 1e-9);
    }

    [Fact]
    public void Frontier_Csv_HasAHeaderAndOneLinePerPoint()
    {
        var run = CliRun.Invoke("theory", "frontier", "--input", folder.Write("case.json", Case), "--family", "optimal", "--points", "3", "--csv");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("family,parameter,kl,winRate,expectedReward", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.StartsWith("optimal,", line));
        Assert.All(lines.Skip(1), line => Assert.Equal(5, line.Split(',').Length));
    }

    [Fact]
    public void Frontier_MaxKlBeyondTheSupremum_ExitCode2()
    {
        var run = CliRun.Invoke("theory", "frontier", "--input", folder.Write("case.json", Case), "--family", "bon", "--points", "3", "--max-kl", "5");
        AssertInvalidInput(run, "maxKl = 5 must lie in (0, 0.69");
    }

    [Fact]
    public void Frontier_RewardsNearTheDoubleRange_GiveFinitePoints_OrAnOverflowLine()
    {
        string path = folder.Write("case.json", """{"probs":[0.3,0.3,0.4],"rewards":[1.7e308,0,-1.7e308]}""");
        var run = CliRun.Invoke("theory", "frontier", "--input", path, "--family", "rlhf", "--points", "3");
        Assert.Equal((ExitCodes.Success, ""), (run.ExitCode, run.Error));
        var points = JsonDocument.Parse(run.Output).RootElement.GetProperty("points").EnumerateArray().ToArray();
        double max = 0.9 * -Math.Log(0.3);
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(max * (j + 1) / 3, points[j].GetProperty("kl").GetDouble(), 1e-9);
            Assert.Equal(JsonValueKind.Number, points[j].GetProperty("winRate").ValueKind); // not "NaN"
        }

        // KL 0.01 needs β ≈ 1e310: the computation overflows, and says so.
        var tooSmall = CliRun.Invoke("theory", "frontier", "--input", path, "--family", "rlhf", "--points", "1", "--max-kl", "0.01");
        AssertInvalidInput(tooSmall, "beyond the double range (the computation overflows for rewards this far apart)");
    }

    [Fact]
    public void Frontier_AllRewardsEqual_ExitCode2()
    {
        var run = CliRun.Invoke("theory", "frontier", "--input", folder.Write("case.json", """{"probs":[0.5,0.5],"rewards":[1,1]}"""),
            "--family", "bon", "--points", "3");
        AssertInvalidInput(run, "there is no frontier");
    }

    [Fact]
    public void Frontier_ZeroPoints_ExitCode2()
    {
        var run = CliRun.Invoke("theory", "frontier", "--input", folder.Write("case.json", Case), "--family", "rlhf", "--points", "0");
        AssertInvalidInput(run, "--points 0");
    }

    [Fact]
    public void Continuous_ReproducesTheTheoryTableRow()
    {
        // THEORY.md §3: n = 2: KL 0.193147, W 0.666667, W(optimal) 0.675907 at c = 2.2886.
        var run = CliRun.Invoke("theory", "continuous", "--n", "2");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var root = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal(2.0, root.GetProperty("n").GetDouble());
        Assert.Equal(Math.Log(2.0) - 0.5, root.GetProperty("kl").GetDouble(), 1e-15);
        Assert.Equal(2.0 / 3.0, root.GetProperty("winRate").GetDouble(), 1e-15);
        Assert.Equal(2.2886, root.GetProperty("optimalC").GetDouble(), 5e-5);
        Assert.Equal(0.675907, root.GetProperty("optimalWinRate").GetDouble(), 5e-7);
        Assert.Equal(root.GetProperty("optimalWinRate").GetDouble() - 2.0 / 3.0, root.GetProperty("gap").GetDouble(), 1e-15);
    }

    [Fact]
    public void Continuous_NBelowOne_ExitCode2()
    {
        AssertInvalidInput(CliRun.Invoke("theory", "continuous", "--n", "0.5"), "n = 0.5 must be a finite number >= 1");
    }

    private static void AssertInvalidInput(CliRun run, string expected)
    {
        Assert.Equal(TheoryCommand.InvalidInput, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.Contains(expected, run.Error);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("alignlab theory ", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }
}
