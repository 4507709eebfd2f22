using System.Text.Json;
using AlignLab.Engine.Datasets;
using AlignLab.Engine.Methods;
using static TorchSharp.torch;

namespace AlignLab.Dsl;

/// <summary>How <see cref="BestOfNPairs.Read"/> treats records it cannot use and records without a preference.</summary>
/// <param name="OnBadRecord">
/// A record that is not valid JSON, has best/worst indices out of range, a token id outside the policy's vocabulary,
/// too many tokens for its context, or a best or worst sample that ends at an end-of-sequence id other than the policy's
/// end token (its log-prob could not be reproduced from right-padded tokens): stop (default) or skip and list it.
/// </param>
/// <param name="DropTies">
/// Leave out records whose best and worst samples have the same reward (they carry no preference; counted in
/// <see cref="BestOfNPairs.Ties"/> either way). Default true for preference training; read with false for SFT-BoN, whose
/// target π_n includes those prompts.
/// </param>
public sealed record BestOfNPairOptions(BadRows OnBadRecord = BadRows.Stop, bool DropTies = true);

/// <summary>
/// Offline best-of-n training data read from an <c>alignlab bon build</c> file (<see cref="BestOfNFile"/>) for the policy
/// that built it: per record, the prompt encoded with the policy's tokenizer, left-padded with a mask, and its best
/// sample as the chosen and its worst as the rejected response, right-padded with the policy's end token after it
/// (<see cref="PreferenceDataset"/>'s convention). BoNBoN, IPO-BoN, DPO and IPO train from <see cref="Pairs"/> through a
/// <see cref="DatasetPairSource"/>; SFT-BoN is <see cref="SftMethod"/> on the prompts and the best responses
/// (<c>Pairs.Chosen</c>). Dispose it to free the tensors.
/// </summary>
public sealed class BestOfNPairs : IDisposable
{
    private BestOfNPairs(string file, PreferenceDataset pairs, IReadOnlyList<BestOfNRecord> records, int n, int ties, bool tiesDropped,
        IReadOnlyList<DatasetError> skipped)
    {
        File = file;
        Pairs = pairs;
        Records = records;
        N = n;
        Ties = ties;
        TiesDropped = tiesDropped;
        Skipped = skipped;
    }

    /// <summary>The file read.</summary>
    public string File { get; }

    /// <summary>The pairs: prompts [R, P] with their mask, best (chosen) and worst (rejected) responses [R, L].</summary>
    public PreferenceDataset Pairs { get; }

    /// <summary>The record of each row of <see cref="Pairs"/>, in file order.</summary>
    public IReadOnlyList<BestOfNRecord> Records { get; }

    /// <summary>Samples per prompt n of the file (the n of BoNBoN's β*_n and of the π_n the data targets).</summary>
    public int N { get; }

    /// <summary>Records whose best and worst rewards are equal (dropped when <see cref="TiesDropped"/>).</summary>
    public int Ties { get; }

    /// <summary>Whether the tied records were left out.</summary>
    public bool TiesDropped { get; }

    /// <summary>Bad records left out (<see cref="BadRows.Skip"/>), each with its file and line.</summary>
    public IReadOnlyList<DatasetError> Skipped { get; }

    /// <summary>One line for logs: rows, n, ties, skipped records.</summary>
    public string Summary =>
        $"{Records.Count} best/worst-of-{N} pairs from {File}"
        + (Ties > 0 ? $" ({Ties} tied record{(Ties == 1 ? "" : "s")} {(TiesDropped ? "dropped" : "kept")})" : "")
        + (Skipped.Count > 0 ? $" ({Skipped.Count} bad record{(Skipped.Count == 1 ? "" : "s")} skipped)" : "");

    /// <summary>
    /// Reads <paramref name="path"/>, a file <c>alignlab bon build</c> wrote for <paramref name="policy"/> (the same
    /// tokenizer and vocabulary), into tensors on the policy's device. Bad records stop the read with an
    /// <see cref="InvalidDataException"/> naming file and line, or are skipped and listed, as
    /// <paramref name="options"/> say.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A bad record (when stopping at one), records of different n, or no usable record.</exception>
    public static BestOfNPairs Read(string path, LanguageModel policy, BestOfNPairOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(policy);
        options ??= new BestOfNPairOptions();
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"best-of-n file '{path}' does not exist.", path);
        // A sample ends at its first token from the policy's end-token set, the rule its log-probs follow. A policy
        // without end tokens (the toy export) draws every sample to max-new-tokens: none is finished, so none needs
        // padding (the width check below stops a file that mixes lengths).
        var endTokens = policy.Policy.EndTokens;
        var config = policy.Config;

        var kept = new List<(BestOfNRecord Record, IReadOnlyList<int> Prompt, int Line)>();
        var skipped = new List<DatasetError>();
        int n = 0, ties = 0, lineNumber = 0;
        foreach (var line in System.IO.File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            try
            {
                var record = ParseRecord(line);
                if (n == 0) n = record.Samples.Count;
                else if (record.Samples.Count != n)
                    throw new InvalidDataException($"{path}:{lineNumber}: the record has {record.Samples.Count} samples where the file's first has {n}; a file holds one n.");
                var prompt = Encode(policy, record.Prompt);
                Check(record, prompt.Count, endTokens, config.VocabSize, config.MaxPositions);
                if (record.Samples[record.Best].Reward == record.Samples[record.Worst].Reward)
                {
                    ties++;
                    if (options.DropTies) continue;
                }
                kept.Add((record, prompt, lineNumber));
            }
            catch (RecordException e)
            {
                Bad(path, lineNumber, e.Message, options, skipped);
            }
        }
        // Padding after an unfinished sample would be counted as its tokens; such a sample is max-new-tokens long,
        // the longest any is, unless the file mixes runs of different lengths.
        var responseWidth = kept.Count == 0 ? 0 : kept.Max(k => Math.Max(k.Record.Samples[k.Record.Best].Ids.Count, k.Record.Samples[k.Record.Worst].Ids.Count));
        foreach (var k in kept.ToArray())
            foreach (var (name, index) in new[] { ("best", k.Record.Best), ("worst", k.Record.Worst) })
                if (k.Record.Samples[index] is { Finished: false } unfinished && unfinished.Ids.Count < responseWidth && kept.Remove(k))
                    Bad(path, k.Line, $"the {name} sample ({index}) is unfinished at {unfinished.Ids.Count} tokens, shorter than the longest response ({responseWidth}): the file mixes runs of different max-new-tokens.", options, skipped);
        skipped.Sort((a, b) => a.Line.CompareTo(b.Line));
        if (kept.Count == 0)
            throw new InvalidDataException($"'{path}' has no usable best-of-n records"
                + (skipped.Count > 0 ? $" ({skipped.Count} bad; the first: {skipped[0]})" : "")
                + (ties > 0 && options.DropTies ? $" ({ties} tied, dropped)" : "") + ".");

        var device = policy.Policy.parameters().First().device;
        var promptWidth = kept.Max(k => k.Prompt.Count);
        var prompts = new long[kept.Count, promptWidth];
        var mask = new bool[kept.Count, promptWidth];
        var chosen = new long[kept.Count, responseWidth];
        var rejected = new long[kept.Count, responseWidth];
        for (int i = 0; i < kept.Count; i++)
        {
            var (record, prompt, _) = kept[i];
            var offset = promptWidth - prompt.Count;
            for (int j = 0; j < prompt.Count; j++)
            {
                prompts[i, offset + j] = prompt[j];
                mask[i, offset + j] = true;
            }
            Fill(chosen, i, record.Samples[record.Best].Ids, endTokens);
            Fill(rejected, i, record.Samples[record.Worst].Ids, endTokens);
        }
        var pairs = new PreferenceDataset(tensor(prompts, device: device), tensor(chosen, device: device), tensor(rejected, device: device),
            kept.Any(k => k.Prompt.Count < promptWidth) ? tensor(mask, device: device) : null);
        return new BestOfNPairs(path, pairs, kept.Select(k => k.Record).ToArray(), n, ties, options.DropTies, skipped);
    }

    /// <inheritdoc />
    public void Dispose() => Pairs.Dispose();

    private static BestOfNRecord ParseRecord(string line)
    {
        BestOfNRecord record;
        try
        {
            record = BestOfNFile.Parse(line);
        }
        catch (JsonException e)
        {
            throw new RecordException($"not a best-of-n record ({e.Message})");
        }
        if (record.Prompt is not { Length: > 0 }) throw new RecordException("\"prompt\" is missing or empty.");
        if (record.Samples is not { Count: > 0 } || record.Samples.Any(s => s?.Ids is null))
            throw new RecordException("\"samples\" is missing, empty, or has a sample without \"ids\".");
        foreach (var (field, index) in new[] { ("best", record.Best), ("worst", record.Worst) })
            if (index < 0 || index >= record.Samples.Count)
                throw new RecordException($"\"{field}\" is {index}, not one of the {record.Samples.Count} samples.");
        return record;
    }

    /// <summary>The prompt's ids, as <c>bon build</c> encoded it; a prompt the tokenizer refuses is a bad record.</summary>
    private static IReadOnlyList<int> Encode(LanguageModel policy, string prompt)
    {
        try
        {
            return policy.EncodePrompt(prompt);
        }
        catch (ArgumentException e)
        {
            throw new RecordException($"the policy's tokenizer cannot encode the prompt ({e.Message}).");
        }
    }

    /// <summary>Throws <see cref="RecordException"/> when the best or worst sample cannot become a right-padded response of the policy.</summary>
    private static void Check(BestOfNRecord record, int promptLength, IReadOnlyList<long> endTokens, int vocabSize, int maxPositions)
    {
        foreach (var (name, index) in new[] { ("best", record.Best), ("worst", record.Worst) })
        {
            var sample = record.Samples[index];
            if (sample.Ids.Count == 0) throw new RecordException($"the {name} sample ({index}) has no tokens.");
            if (sample.Ids.FirstOrDefault(id => id < 0 || id >= vocabSize, -1) is var bad and >= 0)
                throw new RecordException($"the {name} sample ({index}) has token id {bad}, outside the policy's vocabulary (0..{vocabSize - 1}); the file was built with another model.");
            if (promptLength + sample.Ids.Count > maxPositions)
                throw new RecordException($"the prompt ({promptLength} tokens) and the {name} sample ({sample.Ids.Count}) exceed the policy's context length {maxPositions}.");
            // The policy's log-probs count tokens through the first end token: a finished sample must end there, and an
            // unfinished one must hold none, or its log-prob would not be the sample's.
            int firstEnd = sample.Ids.ToList().FindIndex(id => endTokens.Contains(id));
            var set = endTokens.Count > 0 ? $"its end tokens {string.Join(", ", endTokens)}" : "no end token";
            if (sample.Finished && firstEnd != sample.Ids.Count - 1)
                throw new RecordException(firstEnd < 0
                    ? $"the {name} sample ({index}) is marked finished but ends at id {sample.Ids[^1]}, and the policy has {set}; the file was built with another model."
                    : $"the {name} sample ({index}) has the end token {sample.Ids[firstEnd]} at position {firstEnd}, before its last token.");
            if (!sample.Finished && firstEnd >= 0)
                throw new RecordException($"the {name} sample ({index}) holds the end token {sample.Ids[firstEnd]} but is not marked finished.");
        }
    }

    /// <summary>Stops at a bad record (<see cref="BadRows.Stop"/>) or lists it.</summary>
    private static void Bad(string path, int line, string message, BestOfNPairOptions options, List<DatasetError> skipped)
    {
        var error = new DatasetError(path, line, message);
        if (options.OnBadRecord == BadRows.Stop) throw new InvalidDataException(error.ToString());
        skipped.Add(error);
    }

    /// <summary>
    /// Row <paramref name="row"/> of <paramref name="responses"/>: the ids, then padding to the width with the first end
    /// token, as sampling pads (only finished samples are shorter than the width, so a set without one never pads).
    /// </summary>
    private static void Fill(long[,] responses, int row, IReadOnlyList<int> ids, IReadOnlyList<long> endTokens)
    {
        long pad = endTokens.Count > 0 ? endTokens[0] : 0;
        for (int t = 0; t < responses.GetLength(1); t++) responses[row, t] = t < ids.Count ? ids[t] : pad;
    }

    /// <summary>What is wrong with one record (caught by <see cref="Read"/>, which adds the file and line).</summary>
    private sealed class RecordException(string message) : Exception(message);
}
