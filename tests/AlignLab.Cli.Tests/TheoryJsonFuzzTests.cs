using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AlignLab.Cli.Commands;

namespace AlignLab.Cli.Tests;

/// <summary>
/// Fuzzes <c>alignlab theory eval</c> (and, for every tenth file, <c>theory frontier</c>) with a few thousand mutated
/// case files from a fixed seed: each must end in a result (exit 0, JSON on stdout) or one clear line (exit 2) — never
/// an exception's stack trace (exit 1 from the default handler), an out-of-range index, or a hang.
/// </summary>
public sealed class TheoryJsonFuzzTests : IDisposable
{
    private const int Seed = 20261125;
    private const int Cases = 3000;

    private static readonly string[] Corpus =
    [
        """{"probs":[0.1,0.3,0.2,0.2,0.2], "rewards":[1,3,1,2,3], "policies":[{"kind":"base"},{"kind":"bon","n":4},{"kind":"worst","n":4},{"kind":"optimal","c":3.0},{"kind":"rlhf","beta":0.5}]}""",
        """{"probs":[0.5,0.5],"rewards":[0,1],"policies":[{"kind":"bon","n":1000000}]}""",
        """{"probs":[0.25,0.25,0.25,0.25],"rewards":[-1e308,1e308,0,5e-324],"policies":[{"kind":"rlhf","beta":1e-300},{"kind":"optimal","c":1e308}]}""",
        """{"rewards":[2.5,-1,7], "probs":[0.6,0.4,0], "policies":[]}""",
    ];

    // Tokens a mutation may insert: structure, literals, and numbers at the edges of the double range.
    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\"kind\"", "\"n\"", "\"probs\"", "\"policies\"", "null", "true", "false", "-", "e", ".",
        "0", "-0", "1e400", "-1e400", "1e308", "-1e308", "5e-324", "1.7976931348623157e308", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
        "1e-320", "123456789012345678901234567890", "\"bon\"", "\"rlhf\"", "\"optimal\"", "\\u0000", "\u00e9", "\ud83d",
    ];

    private readonly ScriptFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task MutatedCaseFiles_GiveAResultOrOneClearLine_NeverACrashOrHang()
    {
        var random = new Random(Seed);
        string path = Path.Combine(folder.Path, "case.json");
        string current = "";
        var exits = new Dictionary<int, int>();
        var slowest = TimeSpan.Zero;
        var work = Task.Run(() =>
        {
            for (int i = 0; i < Cases; i++)
            {
                byte[] bytes = Mutate(Encoding.UTF8.GetBytes(Corpus[random.Next(Corpus.Length)]), random);
                File.WriteAllBytes(path, bytes);
                current = $"case {i} (seed {Seed}): {Encoding.UTF8.GetString(bytes)}";
                var clock = Stopwatch.StartNew();
                var run = CliRun.Invoke("theory", "eval", "--input", path);
                Check(run, "eval", current);
                if (i % 10 == 0) Check(CliRun.Invoke("theory", "frontier", "--input", path, "--family", Family(random), "--points", "3"), "frontier", current);
                if (clock.Elapsed > slowest) slowest = clock.Elapsed;
                exits[run.ExitCode] = exits.GetValueOrDefault(run.ExitCode) + 1;
            }
        });
        // A hang shows as the case it is stuck on rather than as a test run that never ends.
        var finished = await Task.WhenAny(work, Task.Delay(TimeSpan.FromMinutes(3)));
        Assert.True(finished == work, $"theory eval did not finish {current}");
        await work;
        Assert.True(slowest < TimeSpan.FromSeconds(5), $"the slowest case took {slowest}");
        // The mutations must reach both outcomes, or the fuzzing is not exercising the evaluation.
        Assert.True(exits.GetValueOrDefault(ExitCodes.Success) > Cases / 20, $"exit codes: {string.Join(", ", exits)}");
        Assert.True(exits.GetValueOrDefault(TheoryCommand.InvalidInput) > Cases / 2, $"exit codes: {string.Join(", ", exits)}");
    }

    private static void Check(CliRun run, string command, string current)
    {
        if (run.ExitCode == ExitCodes.Success)
        {
            Assert.True(run.Error == "", $"{current}\nstderr: {run.Error}");
            JsonDocument.Parse(run.Output).Dispose(); // the result is valid JSON (or CSV, never asked for here)
            return;
        }
        Assert.True(run.ExitCode == TheoryCommand.InvalidInput, $"exit {run.ExitCode} for {current}\n{run.Error}");
        Assert.True(run.Output == "", $"{current}\nstdout: {run.Output}");
        string[] lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith($"alignlab theory {command}: ", StringComparison.Ordinal),
            $"{current}\nstderr: {run.Error}");
    }

    private static string Family(Random random) => random.Next(3) switch { 0 => "bon", 1 => "optimal", _ => "rlhf" };

    /// <summary>
    /// One edit, or up to four one time in four: replace a number by an edge-of-range one (keeps the JSON valid, so the
    /// evaluation itself is fuzzed), flip a bit, delete or duplicate a span, insert a token, or truncate.
    /// </summary>
    private static byte[] Mutate(byte[] text, Random random)
    {
        var bytes = new List<byte>(text);
        int edits = random.Next(4) == 0 ? 2 + random.Next(3) : 1;
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 5:
                case 6:
                    ReplaceNumber(bytes, at, random);
                    break;
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(8)));
                    break;
                case 2:
                    int length = Math.Min(bytes.Count - at, 1 + random.Next(16));
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                case 3:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]));
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }
        return [.. bytes];
    }

    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "0.5", "2", "1e308", "-1e308", "1.7976931348623157e308", "5e-324", "1e-300", "1e400", "1000000",
        "1e15", "-5", "0.3333333333333333", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
    ];

    /// <summary>Replaces the first number literal at or after <paramref name="at"/> (digits, sign, point, exponent).</summary>
    private static void ReplaceNumber(List<byte> bytes, int at, Random random)
    {
        static bool IsNumberByte(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'+' or (byte)'.' or (byte)'e' or (byte)'E';
        int start = at;
        while (start < bytes.Count && !(bytes[start] is >= (byte)'0' and <= (byte)'9')) start++;
        if (start == bytes.Count) return;
        while (start > 0 && IsNumberByte(bytes[start - 1])) start--;
        int end = start;
        while (end < bytes.Count && IsNumberByte(bytes[end])) end++;
        bytes.RemoveRange(start, end - start);
        bytes.InsertRange(start, Encoding.UTF8.GetBytes(Numbers[random.Next(Numbers.Length)]));
    }
}
