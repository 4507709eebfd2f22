using AlignLab.Models;

namespace AlignLab.Models.HuggingFace;

/// <summary>
/// A Hugging Face model folder as its config.json and safetensors headers describe it, without its weights
/// (<see cref="HuggingFaceFolder.Inspect"/>).
/// </summary>
/// <param name="Config">The parsed and validated config.json.</param>
/// <param name="Architectures">config.json's <c>architectures</c> (e.g. GPT2LMHeadModel, LlamaForSequenceClassification); empty when absent.</param>
/// <param name="Labels">
/// The number of labels of a <c>*ForSequenceClassification</c> folder (a reward model has 1), or null for a causal
/// language model.
/// </param>
/// <param name="Parameters">
/// Number of parameters the model holds once loaded: Σ over the kept stored tensors of the product of the shape (buffers
/// and a tied head's copy skipped, so a tied embedding counts once).
/// </param>
/// <param name="Dtypes">The safetensors dtypes of those tensors (F32, F16, BF16), sorted.</param>
/// <param name="Files">The weight files (model.safetensors, or the shards the index lists), by name.</param>
/// <param name="BytesOnDisk">Total size of <paramref name="Files"/> in bytes (headers included).</param>
public sealed record HuggingFaceFolderInfo(
    TransformerConfig Config,
    IReadOnlyList<string> Architectures,
    int? Labels,
    long Parameters,
    IReadOnlyList<string> Dtypes,
    IReadOnlyList<string> Files,
    long BytesOnDisk);
