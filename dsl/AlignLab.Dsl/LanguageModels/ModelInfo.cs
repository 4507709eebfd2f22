namespace AlignLab.Dsl;

/// <summary>
/// What a model folder holds, as <c>alignlab model info</c> prints it.
/// </summary>
/// <param name="Folder">The folder (absolute).</param>
/// <param name="Architecture">The config's <c>model_type</c> (gpt2, llama, mistral, qwen2, gpt_neox).</param>
/// <param name="Parameters">Number of parameters (a tied embedding counted once).</param>
/// <param name="DtypesOnDisk">The safetensors dtypes of the stored tensors (F32, F16, BF16).</param>
/// <param name="VocabSize">The model's vocabulary: rows of its embedding (<c>vocab_size</c>).</param>
/// <param name="ContextLength">The most positions it takes (<c>n_positions</c> / <c>max_position_embeddings</c>).</param>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="HiddenSize">Width of the residual stream.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="KeyValueHeads">Key/value heads (fewer than <paramref name="Heads"/>: grouped-query attention).</param>
/// <param name="Tokenizer">The tokenizer, or null when the folder has none.</param>
public sealed record ModelInfo(
    string Folder,
    string Architecture,
    long Parameters,
    IReadOnlyList<string> DtypesOnDisk,
    int VocabSize,
    int ContextLength,
    int Layers,
    int HiddenSize,
    int Heads,
    int KeyValueHeads,
    TokenizerInfo? Tokenizer);
