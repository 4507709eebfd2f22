using System.Globalization;
using System.Text;
using AlignLab.Dsl;
using AlignLab.Tests;

namespace AlignLab.Cli.Tests;

/// <summary>
/// <c>Models.Load</c> from a .csx and an .fsx script (notebooks run in the real kernel: AlignLab.Packaging.Tests), and
/// scripts/examples/real_model_bon.csx run on a tiny random model folder, checked against its header's expectations.
/// </summary>
public sealed class ModelsLoadTests : IDisposable
{
    private readonly TinyModelFolder _model = TinyModelFolder.Gpt2();
    private readonly ScriptFolder _folder = new();

    public void Dispose()
    {
        _model.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public void CSharpScript_LoadsScoresAndSamples()
    {
        var script = _folder.Write("load.csx", """
            var model = Models.Load(Arg("model", ""));
            var ids = model.EncodePrompt("the low");
            Log($"{model.Info().Architecture}|{string.Join(",", ids)}|{model.LogProbs(ids).Length}|{model.Generate("the", new GenerationOptions(N: 2, MaxNewTokens: 3)).Count}");
            model.Dispose();
            """);
        var run = CliRun.Invoke("run", script, "--set", $"model={_model.Path}", "--out", _folder.Out);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("gpt2|262,116,257,32,260|4|2", run.Output.Trim());
    }

    [Fact]
    public void FSharpScript_LoadsScoresAndSamples()
    {
        var script = _folder.Write("load.fsx", """
            open AlignLab.Dsl
            open AlignLab.Dsl.Scripting
            let ctx = ScriptContext.Current
            use model = Models.Load(ctx.Arg("model", ""))
            let ids = model.EncodePrompt "the low"
            let samples = model.Generate("the", GenerationOptions(N = 2, MaxNewTokens = 3))
            ctx.Log(sprintf "%s|%s|%d|%d" (model.Info().Architecture) (String.concat "," (Seq.map string ids)) (model.LogProbs(ids).Length) samples.Count)
            """);
        var run = CliRun.Invoke("run", script, "--set", $"model={_model.Path}", "--out", _folder.Out);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("gpt2|262,116,257,32,260|4|2", run.Output.Trim());
    }

    [Fact]
    public void RealModelBon_WritesOneBestPerPrompt_WithTheLargestReward()
    {
        string script = Path.Combine(ScriptFolder.RepositoryRoot(), "scripts", "examples", "real_model_bon.csx");
        var run = CliRun.Invoke("run", script, "--set", $"model={_model.Path}", "--set", "n=4", "--set", "max_new_tokens=6", "--out", _folder.Out);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("", run.Error);
        Assert.StartsWith("wrote ", run.Output.TrimEnd().Split('\n')[^1]);

        var samples = ReadCsv(Path.Combine(_folder.Out, "samples.csv"));
        Assert.Equal(["prompt", "sample", "reward", "logprob", "finished", "best", "text"], samples[0]);
        var rows = samples.Skip(1).ToArray();
        var byPrompt = rows.GroupBy(r => r[0]).ToArray();
        Assert.Equal(3, byPrompt.Length);
        foreach (var prompt in byPrompt)
        {
            Assert.Equal(4, prompt.Count());
            var rewards = prompt.Select(r => double.Parse(r[2], CultureInfo.InvariantCulture)).ToArray();
            var best = Assert.Single(prompt, r => r[5] == "true");
            Assert.Equal(rewards.Max(), double.Parse(best[2], CultureInfo.InvariantCulture));
            Assert.All(prompt, r => Assert.True(double.Parse(r[3], CultureInfo.InvariantCulture) <= 0));
        }

        var summary = ReadCsv(Path.Combine(_folder.Out, "summary.csv"));
        Assert.Equal(["prompt", "n", "mean_reward", "best_reward", "best_logprob"], summary[0]);
        Assert.Equal(byPrompt.Select(p => p.Key), summary.Skip(1).Select(r => r[0]));
        foreach (var row in summary.Skip(1))
        {
            var mean = byPrompt.Single(p => p.Key == row[0]).Average(r => double.Parse(r[2], CultureInfo.InvariantCulture));
            Assert.Equal(mean, double.Parse(row[2], CultureInfo.InvariantCulture), 12);
            Assert.True(double.Parse(row[3], CultureInfo.InvariantCulture) >= mean);
        }
    }

    [Fact]
    public void Load_OfAMissingFolder_NamesIt()
    {
        var missing = Path.Combine(_folder.Path, "nope");
        var e = Assert.Throws<DirectoryNotFoundException>(() => Dsl.Models.Load(missing));
        Assert.Contains(missing, e.Message);
    }

    // RFC 4180: fields may be quoted and then hold commas, quotes ("") and newlines (generated text does).
    private static List<string[]> ReadCsv(string path)
    {
        var text = File.ReadAllText(path);
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') field.Append(text[++i]);
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add([.. row]); row.Clear(); }
            else field.Append(c);
        }
        return rows;
    }
}
