using System.Text.Json;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Tokenization;
using static TorchSharp.torch;

namespace AlignLab.Dsl;

/// <summary>
/// Offline training data from a best-of-n file (<see cref="BestOfNFile"/>, written by <c>alignlab bon build</c>): per
/// record, the best and the worst sample as a (chosen, rejected) pair — the data of BoNBoN, IPO-BoN, DPO/IPO on BoN
/// pairs, and, through its chosen responses, of SFT-BoN.
/// </summary>
public static class BestOfNPairs
{
    /// <summary>
    /// The samples per prompt n of the file at <paramref name="path"/>. Throws <see cref="InvalidDataException"/> naming
    /// the file and line when it holds no record, a line is not a record, or its records differ in n.
    /// </summary>
    public static int SampleCount(string path)
    {
        var records = ReadRecords(path);
        if (records.Count == 0) throw new InvalidDataException($"{path}: holds no best-of-n record.");
        int n = records[0].Samples.Count;
        int odd = records.FindIndex(r => r.Samples.Count != n);
        if (odd >= 0) throw new InvalidDataException($"{path}:{odd + 1}: {records[odd].Samples.Count} samples where the first record has {n}; the file mixes builds.");
        return n;
    }

    /// <summary>
    /// The (best, worst) pairs of the records of <paramref name="path"/> that <paramref name="include"/> accepts (e.g. not
    /// a held-out prompt), on <paramref name="device"/>: prompts re-encoded with the policy's <paramref name="tokenizer"/>
    /// (as <c>bon build</c> encoded them) and left-padded under <see cref="PreferenceDataset.PromptMask"/>; responses are
    /// the stored ids, right-padded after their end token with the first of <paramref name="endTokens"/> (ignored by every
    /// log-prob). A sample that did not finish must fill the longest length (every sample of one build has the same limit).
    /// </summary>
    public static PreferenceDataset Read(string path, ModelTokenizer tokenizer, IReadOnlyList<long> endTokens, Func<BestOfNRecord, bool> include, Device device)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(include);
        var records = ReadRecords(path).Where(include).ToList();
        if (records.Count == 0) throw new InvalidDataException($"{path}: no record to train on (every prompt is held out for evaluation, or the file is empty).");
        var prompts = records.Select(r => tokenizer.EncodePrompt(r.Prompt)).ToArray();
        var chosen = records.Select(r => r.Samples[r.Best]).ToArray();
        var rejected = records.Select(r => r.Samples[r.Worst]).ToArray();
        int promptLength = prompts.Max(p => p.Count);
        int length = chosen.Concat(rejected).Max(s => s.Ids.Count);
        if (chosen.Concat(rejected).FirstOrDefault(s => !s.Finished && s.Ids.Count < length) is { } cut)
            throw new InvalidDataException($"{path}: a sample stopped unfinished after {cut.Ids.Count} tokens where others run to {length}; the file mixes max-new-tokens settings.");
        if (length > 0 && chosen.Concat(rejected).Any(s => s.Finished) && endTokens.Count == 0)
            throw new InvalidDataException($"{path}: samples end at an end token, but the policy has none to pad with.");
        long pad = endTokens.Count > 0 ? endTokens[0] : 0;

        var promptIds = new long[records.Count, promptLength];
        var mask = new bool[records.Count, promptLength];
        var best = new long[records.Count, length];
        var worst = new long[records.Count, length];
        for (int i = 0; i < records.Count; i++)
        {
            int offset = promptLength - prompts[i].Count;
            for (int j = 0; j < promptLength; j++)
            {
                promptIds[i, j] = j < offset ? pad : prompts[i][j - offset];
                mask[i, j] = j >= offset;
            }
            for (int t = 0; t < length; t++)
            {
                best[i, t] = t < chosen[i].Ids.Count ? chosen[i].Ids[t] : pad;
                worst[i, t] = t < rejected[i].Ids.Count ? rejected[i].Ids[t] : pad;
            }
        }
        return new PreferenceDataset(tensor(promptIds, device: device), tensor(best, device: device), tensor(worst, device: device),
            tensor(mask, device: device));
    }

    private static List<BestOfNRecord> ReadRecords(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: the best-of-n file does not exist.", path);
        try
        {
            return [.. BestOfNFile.Read(path)];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: a line is not a best-of-n record ({e.Message}).", e);
        }
    }
}
