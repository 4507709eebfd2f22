using AlignLab.Engine.Rewards;
using AlignLab.Engine.Runtime;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Tokenization;
using TorchSharp;

namespace AlignLab.Dsl;

/// <summary>
/// Pretrained language models from Hugging Face model folders, for scripts, notebooks and <c>alignlab model</c>:
/// <c>var model = Models.Load("path/to/folder");</c> (C#) or <c>let model = Models.Load "path/to/folder"</c> (F#).
/// </summary>
public static class Models
{
    /// <summary>
    /// Loads the model in <paramref name="folder"/> — a folder, or a Hugging Face id <c>org/name[@revision]</c> found in
    /// the local hub cache (<see cref="HubCache"/>; nothing is downloaded) — (<c>config.json</c> + safetensors weights, see
    /// <see cref="HuggingFaceFolder.Load"/>) and its tokenizer when the folder has one (see
    /// <see cref="ModelTokenizer.Load"/>), on <paramref name="device"/> (null: CUDA when available, else CPU) in float32.
    /// <paramref name="progress"/>, when given, receives the fraction of the stored weights read so far (0 … 1).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist, or the id is not in the hub cache (the message says how to download it).</exception>
    /// <exception cref="FileNotFoundException">It has no config.json or no weights.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, names an unknown architecture or a config key AlignLab does not implement, or lacks a tensor; the message names it.</exception>
    public static LanguageModel Load(string folder, string? device = null, IProgress<double>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var full = HubCache.Resolve(folder);
        var resolved = ComputeContext.ResolveDevice(device);
        var policy = HuggingFaceFolder.Load(full, progress);
        try
        {
            var tokenizer = ModelTokenizer.Exists(full) ? ModelTokenizer.Load(full) : null;
            if (resolved.type != DeviceType.CPU) policy.to(resolved);
            return new LanguageModel(full, policy, tokenizer);
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    /// <summary>
    /// What the model folder <paramref name="folder"/> (or cached Hugging Face id, see <see cref="Load"/>) holds — architecture, parameter count, dtypes and bytes on disk,
    /// shape, tokenizer, chat template, end tokens, and whether it is a reward model — read from config.json, the tokenizer
    /// files and the safetensors headers only (<see cref="HuggingFaceFolder.Inspect"/>): a fraction of a second and a few
    /// megabytes for any size of model. The weights' shapes are checked against config.json by <see cref="Load"/>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">It has no config.json or no weights.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or names an unknown architecture; the message names it.</exception>
    public static ModelInfo Info(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return ModelInfo.Read(HubCache.Resolve(folder));
    }

    /// <summary>
    /// Loads the reward model in <paramref name="folder"/> (a folder or cached Hugging Face id, see <see cref="Load"/>; a
    /// <c>*ForSequenceClassification</c> folder with one label,
    /// see <see cref="HuggingFaceFolder.LoadRewardModel"/>) with its tokenizer, as an <see cref="IRewardFunction"/> of
    /// <paramref name="policy"/>'s tokens: responses end at the policy's EOS, and are decoded and re-encoded when the two
    /// tokenizers differ. On the policy's device (or <paramref name="device"/> when no policy is given).
    /// </summary>
    /// <exception cref="InvalidDataException">The folder is not a one-label sequence classifier, or a file is malformed.</exception>
    public static SequenceClassifierReward LoadReward(string folder, LanguageModel? policy = null, string? device = null, int batchSize = 16)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var target = policy?.Policy.parameters().First().device ?? ComputeContext.ResolveDevice(device);
        var reward = SequenceClassifierReward.Load(HubCache.Resolve(folder), policy is { HasTokenizer: true } ? policy.Tokenizer : null, batchSize,
            policy?.EosIds.Select(e => (long)e).ToArray());
        if (target.type != DeviceType.CPU) reward.Model.to(target);
        return reward;
    }
}
